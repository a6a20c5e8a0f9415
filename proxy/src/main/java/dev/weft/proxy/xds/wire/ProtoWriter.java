package dev.weft.proxy.xds.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one protobuf message: the sidecar's few outgoing messages (DiscoveryRequest with its
 * Node, the last-known-good file) without generated classes. Fields are written in call order;
 * an embedded message is written whole from its own writer. Default values are left out, as
 * proto3 encoders do.
 */
public final class ProtoWriter {
    private byte[] buf = new byte[64];
    private int size;

    public ProtoWriter string(int field, String value) {
        if (value != null && !value.isEmpty()) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** A string written even when empty (a repeated element or a map key). */
    public ProtoWriter stringAlways(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoWriter bytes(int field, byte[] value) {
        tag(field, ProtoReader.LENGTH_DELIMITED);
        varint(value.length);
        put(value, 0, value.length);
        return this;
    }

    public ProtoWriter message(int field, ProtoWriter message) {
        tag(field, ProtoReader.LENGTH_DELIMITED);
        varint(message.size);
        put(message.buf, 0, message.size);
        return this;
    }

    public ProtoWriter int64(int field, long value) {
        if (value != 0) {
            tag(field, ProtoReader.VARINT);
            varint(value);
        }
        return this;
    }

    /** int32 and enum values; negatives take ten bytes, as protobuf encodes them. */
    public ProtoWriter int32(int field, int value) {
        return int64(field, value);
    }

    public ProtoWriter bool(int field, boolean value) {
        return int64(field, value ? 1 : 0);
    }

    /** A double, written even when zero: the sidecar's doubles are oneof members (Value.number_value), where presence counts. */
    public ProtoWriter float64(int field, double value) {
        tag(field, ProtoReader.FIXED64);
        long bits = Double.doubleToRawLongBits(value);
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (bits >>> (8 * i));
        }
        return this;
    }

    /** The message as bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** The message preceded by its length, as protobuf's writeDelimitedTo writes it. */
    public byte[] toDelimitedByteArray() {
        ProtoWriter out = new ProtoWriter();
        out.varint(size);
        out.put(buf, 0, size);
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        ensure(10);
        while ((v & ~0x7fL) != 0) {
            buf[size++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    private void put(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
