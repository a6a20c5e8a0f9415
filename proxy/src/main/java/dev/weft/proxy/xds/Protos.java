package dev.weft.proxy.xds;

import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoAny;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decoding shared by the translators: the common Envoy and well-known messages (Duration,
 * wrappers, Address, ConfigSource, Struct, Metadata), read from the wire with {@link ProtoReader}.
 * Each failure names the field it came from.
 */
final class Protos {
    static final String TYPE_URL_PREFIX = "type.googleapis.com/";

    private Protos() {
    }

    /** A failure inside one resource, before the translator adds the resource's kind and name. */
    static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;
        final String field;

        FieldException(String field, String reason) {
            super(reason);
            this.field = field;
        }
    }

    /** The reader over a nested message's bytes (empty when the field was absent). */
    static ProtoReader reader(byte[] message) {
        return new ProtoReader(message == null ? new byte[0] : message);
    }

    /** A decoding failure inside {@code field}. */
    static FieldException malformed(String field, MalformedProtoException e) {
        return new FieldException(field, "cannot be decoded: " + e.getMessage());
    }

    /** {@code any}'s message, which must be of type {@code fullName}. */
    static ProtoReader unpack(ProtoAny any, String fullName, String field) throws FieldException {
        if (!any.typeName().equals(fullName)) {
            throw new FieldException(field, "is a " + any.typeUrl() + ", expected " + TYPE_URL_PREFIX + fullName);
        }
        return any.reader();
    }

    /** google.protobuf.Duration {seconds = 1; nanos = 2}. */
    static Duration duration(byte[] message, String field) throws FieldException {
        long seconds = 0;
        int nanos = 0;
        try {
            ProtoReader r = reader(message);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> seconds = r.int64();
                    case 2 -> nanos = r.int32();
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        if (seconds < 0 || nanos < 0) {
            throw new FieldException(field, "must not be negative");
        }
        return Duration.ofSeconds(seconds, nanos);
    }

    /** Reads one value of a field (a method reference to a typed read of {@link ProtoReader}). */
    @FunctionalInterface
    interface Read<T> {
        T read(ProtoReader r) throws MalformedProtoException;
    }

    /** The last value of scalar field {@code number} in a message ({@code absent} if none), as protobuf keeps it. */
    static <T> T last(byte[] message, int number, T absent, Read<T> read, String field) throws FieldException {
        T value = absent;
        try {
            ProtoReader r = reader(message);
            while (r.next()) {
                if (r.field() == number) {
                    value = read.read(r);
                } else {
                    r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        return value;
    }

    /** Embedded message field {@code number} of a message, every occurrence merged; null if absent. */
    static byte[] message(byte[] message, int number, String field) throws FieldException {
        byte[] out = null;
        try {
            ProtoReader r = reader(message);
            while (r.next()) {
                if (r.field() == number) {
                    out = r.message(out);
                } else {
                    r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        return out;
    }

    /** Which field numbered {@code first..last} a message sets last (a oneof's case); 0 if none. */
    static int lastOf(byte[] message, int first, int last, String field) throws FieldException {
        int found = 0;
        try {
            ProtoReader r = reader(message);
            while (r.next()) {
                if (r.field() >= first && r.field() <= last) {
                    found = r.field();
                }
                r.skip();
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        return found;
    }

    /** google.protobuf.UInt32Value / Int32Value {value = 1}, as the low 32 bits. */
    static int int32Value(byte[] message, String field) throws FieldException {
        return last(message, 1, 0, ProtoReader::int32, field);
    }

    /** google.protobuf.UInt64Value {value = 1}. */
    static long int64Value(byte[] message, String field) throws FieldException {
        return last(message, 1, 0L, ProtoReader::int64, field);
    }

    /** google.protobuf.BoolValue {value = 1}. */
    static boolean boolValue(byte[] message, String field) throws FieldException {
        return last(message, 1, false, ProtoReader::bool, field);
    }

    /** google.protobuf.DoubleValue and envoy.type.v3.Percent {double value = 1}. */
    static double doubleValue(byte[] message, String field) throws FieldException {
        return last(message, 1, 0.0, ProtoReader::float64, field);
    }

    /**
     * envoy.config.core.v3.Address: only {@code socket_address = 1} (TCP, an IP literal and a port
     * number); pipe = 2 and envoy_internal_address = 3 are refused.
     */
    static InetSocketAddress socketAddress(byte[] address, String field) throws FieldException {
        byte[] socket = null;
        try {
            ProtoReader r = reader(address);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> socket = r.message(socket);
                    case 2, 3 -> {
                        socket = null;
                        r.skip();
                    }
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        String f = field + ".socket_address";
        if (socket == null) {
            throw new FieldException(f, "required (pipes and internal addresses are not supported)");
        }
        int protocol = 0;
        String ip = "";
        int portCase = 0;
        int port = 0;
        try {
            // SocketAddress {protocol = 1; address = 2; oneof port_specifier {port_value = 3; named_port = 4}}
            ProtoReader r = new ProtoReader(socket);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> protocol = r.int32();
                    case 2 -> ip = r.string();
                    case 3 -> {
                        port = r.int32();
                        portCase = 3;
                    }
                    case 4 -> {
                        r.skip();
                        portCase = 4;
                    }
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(f, e);
        }
        if (protocol != 0) {
            throw new FieldException(f + ".protocol", "only TCP is supported, got " + (protocol == 1 ? "UDP" : "UNRECOGNIZED"));
        }
        if (ip.isEmpty()) {
            throw new FieldException(f + ".address", "required");
        }
        InetAddress literal = ipLiteral(ip);
        if (literal == null) {
            throw new FieldException(f + ".address", "'" + ip + "' is not an IP address literal");
        }
        if (portCase != 3) {
            throw new FieldException(f + ".port_value", "required (named ports are not supported)");
        }
        if (port < 1 || port > 65535) {
            throw new FieldException(f + ".port_value", "must be between 1 and 65535, was " + Integer.toUnsignedString(port));
        }
        return new InetSocketAddress(literal, port);
    }

    /**
     * An IP address literal (dotted-quad IPv4 without leading zeros, or IPv6 without a zone),
     * parsed without a name lookup; null when {@code s} is anything else. Not Guava's
     * InetAddresses: the sidecar's default path loads no Guava class.
     */
    static InetAddress ipLiteral(String s) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            if (s.indexOf(':') >= 0) {
                if (Character.digit(s.charAt(0), 16) < 0 && s.charAt(0) != ':') {
                    return null;
                }
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                        return null;
                    }
                }
                // A string that starts with a hex digit or ':' and holds a ':' is parsed as an IPv6
                // literal by the JDK, never looked up: it fails with UnknownHostException instead.
                return InetAddress.getByName(s);
            }
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                    return null;
                }
                int v = 0;
                for (int j = 0; j < p.length(); j++) {
                    int d = p.charAt(j) - '0';
                    if (d < 0 || d > 9) {
                        return null;
                    }
                    v = v * 10 + d;
                }
                if (v > 255) {
                    return null;
                }
                bytes[i] = (byte) v;
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** ConfigSource's config_source_specifier oneof, by field number. */
    private static final Map<Integer, String> CONFIG_SOURCE_CASES = Map.of(1, "PATH", 8, "PATH_CONFIG_SOURCE",
            2, "API_CONFIG_SOURCE", 3, "ADS", 5, "SELF");

    /** The sidecar fetches everything over its one ADS stream: ConfigSource must be {@code ads} (3) or {@code self} (5). */
    static void requireAds(byte[] configSource, String field) throws FieldException {
        int specifier = 0;
        try {
            ProtoReader r = reader(configSource);
            while (r.next()) {
                if (CONFIG_SOURCE_CASES.containsKey(r.field())) {
                    specifier = r.field();
                }
                r.skip();
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        if (specifier != 3 && specifier != 5) {
            throw new FieldException(field, "only ads {} is supported, got "
                    + CONFIG_SOURCE_CASES.getOrDefault(specifier, "CONFIGSOURCESPECIFIER_NOT_SET"));
        }
    }

    /**
     * One google.protobuf.Value: which of its kind oneof was set ({@link #kind}: null_value 1,
     * number_value 2, string_value 3, bool_value 4, struct_value 5, list_value 6; 0 unset) and the
     * scalar it carries.
     */
    record StructValue(int kind, double number, String string, boolean bool) {
        static final int NUMBER = 2;
        static final int STRING = 3;
        static final int BOOL = 4;
        private static final String[] KINDS = {"no value", "null", "a number", "a string", "a bool", "a struct", "a list"};

        /** What an error message says it was. */
        String describe() {
            return switch (kind) {
                case STRING -> "\"" + string + "\"";
                case NUMBER -> Double.toString(number);
                case BOOL -> Boolean.toString(bool);
                default -> KINDS[kind];
            };
        }
    }

    /** google.protobuf.Struct {map<string, Value> fields = 1}. */
    static Map<String, StructValue> struct(byte[] message, String field) throws FieldException {
        Map<String, StructValue> out = new HashMap<>();
        try {
            ProtoReader r = reader(message);
            while (r.next()) {
                if (r.field() != 1) {
                    r.skip();
                    continue;
                }
                String key = "";
                StructValue value = new StructValue(0, 0, "", false);
                ProtoReader entry = r.message();
                while (entry.next()) {
                    switch (entry.field()) {
                        case 1 -> key = entry.string();
                        case 2 -> value = value(entry.message());
                        default -> entry.skip();
                    }
                }
                out.put(key, value);
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        return out;
    }

    private static StructValue value(ProtoReader r) throws MalformedProtoException {
        int kind = 0;
        double number = 0;
        String string = "";
        boolean bool = false;
        while (r.next()) {
            switch (r.field()) {
                case 2 -> number = r.float64();
                case 3 -> string = r.string();
                case 4 -> bool = r.bool();
                default -> r.skip();
            }
            if (r.field() >= 1 && r.field() <= 6) {
                kind = r.field();
            }
        }
        return new StructValue(kind, number, string, bool);
    }

    /** envoy.config.core.v3.Metadata's filter_metadata (field 1, map<string, Struct>): one namespace's Struct, or empty. */
    static Map<String, StructValue> filterMetadata(byte[] metadata, String namespace, String field) throws FieldException {
        byte[] struct = null;
        try {
            ProtoReader r = reader(metadata);
            while (r.next()) {
                if (r.field() != 1) {
                    r.skip();
                    continue;
                }
                String key = "";
                byte[] value = null;
                ProtoReader entry = r.message();
                while (entry.next()) {
                    switch (entry.field()) {
                        case 1 -> key = entry.string();
                        case 2 -> value = entry.message(value);
                        default -> entry.skip();
                    }
                }
                if (key.equals(namespace)) {
                    struct = value == null ? new byte[0] : value; // a map entry replaces an earlier one
                }
            }
        } catch (MalformedProtoException e) {
            throw malformed(field, e);
        }
        return struct == null ? Map.of() : struct(struct, field + ".filter_metadata[\"" + namespace + "\"]");
    }

    /** A oneof case's name as protobuf-java prints it in lower case (for messages naming what was set). */
    static String caseName(Map<Integer, String> cases, int field, String notSet) {
        return cases.getOrDefault(field, notSet).toLowerCase(Locale.ROOT);
    }
}
