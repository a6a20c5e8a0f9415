package dev.weft.proxy.xds.wire;

import java.util.Arrays;
import java.util.Base64;

/**
 * A {@code google.protobuf.Any}: a type URL and the encoded message, kept as bytes until a
 * decoder for that type reads them. Immutable (the array is never handed out).
 */
public final class ProtoAny {
    private final String typeUrl;
    private final byte[] value;

    public ProtoAny(String typeUrl, byte[] value) {
        this.typeUrl = typeUrl;
        this.value = value.clone();
    }

    /** Decodes {@code Any {type_url = 1; value = 2}}. */
    public static ProtoAny decode(ProtoReader r) throws MalformedProtoException {
        String url = "";
        byte[] bytes = new byte[0];
        while (r.next()) {
            switch (r.field()) {
                case 1 -> url = r.string();
                case 2 -> bytes = r.bytes();
                default -> r.skip();
            }
        }
        return new ProtoAny(url, bytes, false);
    }

    private ProtoAny(String typeUrl, byte[] value, boolean unused) {
        this.typeUrl = typeUrl;
        this.value = value;
    }

    public String typeUrl() {
        return typeUrl;
    }

    /** The type's full name: what follows the last '/' of the URL. */
    public String typeName() {
        return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    }

    /** A reader over the encoded message. */
    public ProtoReader reader() {
        return new ProtoReader(value);
    }

    public byte[] value() {
        return value.clone();
    }

    public int size() {
        return value.length;
    }

    /** {@code Any} encoded, for a message that carries it. */
    public ProtoWriter encode() {
        return new ProtoWriter().string(1, typeUrl).bytes(2, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProtoAny a && a.typeUrl.equals(typeUrl) && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return typeUrl.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Any[" + typeUrl + ", " + Base64.getEncoder().encodeToString(value) + "]";
    }
}
