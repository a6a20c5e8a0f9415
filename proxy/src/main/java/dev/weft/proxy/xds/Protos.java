package dev.weft.proxy.xds;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Conversions shared by the translators; each failure names the field it came from. */
final class Protos {
    private Protos() {
    }

    /**
     * {@code any} decoded with {@code parser}; its type URL must name {@code descriptor}'s type. Not
     * {@link Any#unpack(Class)}: that asks the default instance for its descriptor, which sets up
     * protobuf's reflective field accessors for the message and its builder (a Method object per
     * public method of both, kept on the heap) although the sidecar never uses reflection.
     */
    static <T extends Message> T unpack(Any any, Descriptors.Descriptor descriptor, Parser<T> parser, String field)
            throws FieldException {
        String name = descriptor.getFullName();
        String url = any.getTypeUrl();
        if (!url.substring(url.lastIndexOf('/') + 1).equals(name)) {
            throw new FieldException(field, "is a " + url + ", expected type.googleapis.com/" + name);
        }
        try {
            return parser.parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException e) {
            throw new FieldException(field, "cannot be decoded as " + name + ": " + e.getMessage());
        }
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

    static Duration duration(com.google.protobuf.Duration d, String field) throws FieldException {
        if (d.getSeconds() < 0 || d.getNanos() < 0) {
            throw new FieldException(field, "must not be negative");
        }
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    static InetSocketAddress socketAddress(io.envoyproxy.envoy.config.core.v3.Address address, String field)
            throws FieldException {
        if (!address.hasSocketAddress()) {
            throw new FieldException(field + ".socket_address", "required (pipes and internal addresses are not supported)");
        }
        SocketAddress sa = address.getSocketAddress();
        String f = field + ".socket_address";
        if (sa.getProtocol() != SocketAddress.Protocol.TCP) {
            throw new FieldException(f + ".protocol", "only TCP is supported, got " + sa.getProtocol());
        }
        if (sa.getAddress().isEmpty()) {
            throw new FieldException(f + ".address", "required");
        }
        if (!InetAddresses.isInetAddress(sa.getAddress())) {
            throw new FieldException(f + ".address", "'" + sa.getAddress() + "' is not an IP address literal");
        }
        if (sa.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
            throw new FieldException(f + ".port_value", "required (named ports are not supported)");
        }
        int port = sa.getPortValue();
        if (port < 1 || port > 65535) {
            throw new FieldException(f + ".port_value", "must be between 1 and 65535, was " + port);
        }
        InetAddress ip = InetAddresses.forString(sa.getAddress());
        return new InetSocketAddress(ip, port);
    }

    /** The sidecar fetches everything over its one ADS stream. */
    static void requireAds(ConfigSource source, String field) throws FieldException {
        if (source.getConfigSourceSpecifierCase() != ConfigSource.ConfigSourceSpecifierCase.ADS
                && source.getConfigSourceSpecifierCase() != ConfigSource.ConfigSourceSpecifierCase.SELF) {
            throw new FieldException(field, "only ads {} is supported, got " + source.getConfigSourceSpecifierCase());
        }
    }
}
