package dev.weft.proxy.xds.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the fields of one protobuf message from its encoded bytes, in wire order. The sidecar
 * decodes the few xDS fields it uses with this instead of Envoy's generated classes: those would
 * load about 650 classes (7.6 MB of class bytes, with protobuf's descriptors for every file the
 * four resource types import) for a handful of fields (docs/performance.md).
 *
 * <p>Usage: {@code while (r.next()) switch (r.field()) { case 1 -> name = r.string(); default -> r.skip(); }}.
 * A typed read checks the wire type: a field that arrives with another wire type than its
 * declaration is refused, naming the field, where protobuf-java would silently drop it. Unknown
 * fields are skipped. Groups (deprecated, not used by any xDS type) are refused.
 */
public final class ProtoReader {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;
    private static final int MAX_FIELD = (1 << 29) - 1;

    private final byte[] buf;
    private int pos;
    private final int limit;
    private int field;
    private int wireType;

    public ProtoReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    public ProtoReader(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + bytes.length);
        }
        this.buf = bytes;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Moves to the next field; false at the end of the message. */
    public boolean next() throws MalformedProtoException {
        if (pos == limit) {
            return false;
        }
        long tag = rawVarint();
        int number = (int) (tag >>> 3);
        int type = (int) (tag & 7);
        if (tag >>> 3 > MAX_FIELD || number == 0) {
            throw new MalformedProtoException("invalid field number " + (tag >>> 3));
        }
        if (type == 3 || type == 4) {
            throw new MalformedProtoException("field " + number + ": groups are not supported");
        }
        if (type > FIXED32) {
            throw new MalformedProtoException("field " + number + ": invalid wire type " + type);
        }
        field = number;
        wireType = type;
        return true;
    }

    /** The current field's number. */
    public int field() {
        return field;
    }

    public int wireType() {
        return wireType;
    }

    /** Steps over the current field's value. */
    public void skip() throws MalformedProtoException {
        switch (wireType) {
            case VARINT -> rawVarint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            default -> advance(length());
        }
    }

    public long int64() throws MalformedProtoException {
        expect(VARINT);
        return rawVarint();
    }

    /** int32, uint32 and enum values: the low 32 bits, as protobuf reads them. */
    public int int32() throws MalformedProtoException {
        expect(VARINT);
        return (int) rawVarint();
    }

    public boolean bool() throws MalformedProtoException {
        expect(VARINT);
        return rawVarint() != 0;
    }

    public double float64() throws MalformedProtoException {
        expect(FIXED64);
        long bits = 0;
        int start = advance(8);
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[start + i] & 0xff);
        }
        return Double.longBitsToDouble(bits);
    }

    /** A string field; invalid UTF-8 is refused, as protobuf does for proto3 strings. */
    public String string() throws MalformedProtoException {
        expect(LENGTH_DELIMITED);
        int len = length();
        int start = advance(len);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, start, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedProtoException("field " + field + ": string is not valid UTF-8");
        }
    }

    /** A bytes or embedded message field's bytes (a copy). */
    public byte[] bytes() throws MalformedProtoException {
        expect(LENGTH_DELIMITED);
        int len = length();
        int start = advance(len);
        return Arrays.copyOfRange(buf, start, start + len);
    }

    /**
     * A singular embedded message, merged with an earlier occurrence of the same field: protobuf
     * parses a message field that appears twice as the concatenation of both encodings.
     */
    public byte[] message(byte[] earlier) throws MalformedProtoException {
        byte[] next = bytes();
        if (earlier == null) {
            return next;
        }
        byte[] merged = Arrays.copyOf(earlier, earlier.length + next.length);
        System.arraycopy(next, 0, merged, earlier.length, next.length);
        return merged;
    }

    /** A reader over the current embedded message, which this reader steps over. */
    public ProtoReader message() throws MalformedProtoException {
        expect(LENGTH_DELIMITED);
        int len = length();
        int start = advance(len);
        return new ProtoReader(buf, start, len);
    }

    /**
     * The next length-delimited message of a stream of them (protobuf's writeDelimitedTo: a varint
     * length, then the message), as a reader; this reader steps over it.
     */
    public ProtoReader delimited() throws MalformedProtoException {
        int len = length();
        int start = advance(len);
        return new ProtoReader(buf, start, len);
    }

    private int length() throws MalformedProtoException {
        long len = rawVarint();
        if (len < 0 || len > limit - pos) {
            throw new MalformedProtoException((field == 0 ? "" : "field " + field + ": ") + "length " + len
                    + " runs past the end of the message");
        }
        return (int) len;
    }

    /** Whether every byte has been read. */
    public boolean atEnd() {
        return pos == limit;
    }

    private void expect(int type) throws MalformedProtoException {
        if (wireType != type) {
            throw new MalformedProtoException("field " + field + " has wire type " + wireType + ", expected " + type);
        }
    }

    private int advance(int n) throws MalformedProtoException {
        if (n > limit - pos) {
            throw new MalformedProtoException("field " + field + ": truncated");
        }
        int start = pos;
        pos += n;
        return start;
    }

    private long rawVarint() throws MalformedProtoException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos == limit) {
                throw new MalformedProtoException("truncated varint" + (field == 0 ? "" : " after field " + field));
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new MalformedProtoException("varint longer than 10 bytes" + (field == 0 ? "" : " after field " + field));
    }
}
