package dev.weft.controlplane.dns;

import static dev.weft.controlplane.dns.DnsWire.*;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads a query message into a {@link DnsQuery}, checking every length against the bytes present.
 * Compression pointers are followed only backwards, each one before the segment it leaves, so a
 * name always ends; names and labels are held to the RFC 1035 limits.
 */
final class DnsQueryParser {
    /** A legal name has at most 127 labels; more hops than that cannot be a real name. */
    private static final int MAX_POINTER_HOPS = 127;

    private DnsQueryParser() {}

    /**
     * Parses the readable bytes of {@code buf} without moving its indexes.
     *
     * @return the query, or {@code null} when the packet is to be dropped without a reply: shorter
     *     than a header, or a response (QR set)
     * @throws DnsParseException when the header is readable but the rest is not a valid query
     */
    static DnsQuery parse(ByteBuf buf) throws DnsParseException {
        int base = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - base < HEADER_LENGTH) {
            return null;
        }
        int id = buf.getUnsignedShort(base);
        int flags = buf.getUnsignedShort(base + 2);
        if ((flags & FLAG_QR) != 0) {
            return null;
        }
        int opcode = (flags & OPCODE_MASK) >>> OPCODE_SHIFT;
        if (opcode != OPCODE_QUERY) {
            throw new DnsParseException(id, flags, RCODE_NOTIMP, "opcode not supported");
        }
        if (buf.getUnsignedShort(base + 4) != 1) {
            throw formErr(id, flags, "QDCOUNT must be 1");
        }
        if (buf.getUnsignedShort(base + 6) != 0 || buf.getUnsignedShort(base + 8) != 0) {
            throw formErr(id, flags, "a query carries no answer or authority records");
        }
        int arCount = buf.getUnsignedShort(base + 10);
        if (arCount > 1) {
            throw formErr(id, flags, "at most one additional record (OPT)");
        }

        long walked = walkName(buf, base, base + HEADER_LENGTH, end, null);
        if (walked < 0) {
            throw formErr(id, flags, "malformed question name");
        }
        int pos = (int) (walked >>> 32);
        byte[] wireName = new byte[(int) walked];
        walkName(buf, base, base + HEADER_LENGTH, end, wireName);
        if (pos + 4 > end) {
            throw formErr(id, flags, "question truncated");
        }
        int qtype = buf.getUnsignedShort(pos);
        int qclass = buf.getUnsignedShort(pos + 2);
        pos += 4;
        if (qtype == TYPE_OPT) {
            throw formErr(id, flags, "OPT is not a question type");
        }

        int payload = -1;
        int version = 0;
        boolean dnssecOk = false;
        if (arCount == 1) {
            long owner = walkName(buf, base, pos, end, null);
            if (owner < 0) {
                throw formErr(id, flags, "malformed additional record name");
            }
            int p = (int) (owner >>> 32);
            if (p + 10 > end) {
                throw formErr(id, flags, "additional record truncated");
            }
            int type = buf.getUnsignedShort(p);
            int rrClass = buf.getUnsignedShort(p + 2);
            long ttl = buf.getUnsignedInt(p + 4);
            int rdLength = buf.getUnsignedShort(p + 8);
            p += 10;
            if (p + rdLength > end) {
                throw formErr(id, flags, "additional record data truncated");
            }
            if (type == TYPE_OPT) {
                if ((int) owner != 1) {
                    throw formErr(id, flags, "OPT owner must be the root");
                }
                if (!optionsWellFormed(buf, p, p + rdLength)) {
                    throw formErr(id, flags, "malformed EDNS option");
                }
                payload = rrClass;
                version = (int) ((ttl >>> 16) & 0xFF);
                dnssecOk = (ttl & EDNS_DO_BIT) != 0;
            }
            // Any other additional record (TSIG, SIG(0)) is not supported and is ignored.
            pos = p + rdLength;
        }
        if (pos != end) {
            throw formErr(id, flags, "bytes after the last record");
        }
        return new DnsQuery(id, flags, wireName, lowerDotted(wireName), qtype, qclass, payload, version, dnssecOk);
    }

    private static boolean optionsWellFormed(ByteBuf buf, int from, int to) {
        int o = from;
        while (o < to) {
            if (o + 4 > to) {
                return false;
            }
            o += 4 + buf.getUnsignedShort(o + 2);
        }
        return o == to;
    }

    /**
     * Walks the name at {@code pos}, copying it uncompressed into {@code out} when given (at least
     * the measured length).
     *
     * @return -1 when malformed, else the position after the name in the message (high 32 bits)
     *     and its uncompressed wire length including the root label (low 32 bits)
     */
    static long walkName(ByteBuf buf, int base, int pos, int end, byte[] out) {
        int after = -1;
        int length = 0;
        int floor = pos;
        int hops = 0;
        while (true) {
            if (pos >= end) {
                return -1;
            }
            int b = buf.getUnsignedByte(pos);
            if (b == 0) {
                if (out != null) {
                    out[length] = 0;
                }
                length++;
                if (after < 0) {
                    after = pos + 1;
                }
                return ((long) after << 32) | length;
            }
            int kind = b & 0xC0;
            if (kind == 0xC0) {
                if (pos + 1 >= end) {
                    return -1;
                }
                int target = base + (((b & 0x3F) << 8) | buf.getUnsignedByte(pos + 1));
                // Strictly before the segment being left: pointers can neither loop nor go forwards.
                if (target < base + HEADER_LENGTH || target >= floor || ++hops > MAX_POINTER_HOPS) {
                    return -1;
                }
                if (after < 0) {
                    after = pos + 2;
                }
                pos = target;
                floor = target;
                continue;
            }
            if (kind != 0) {
                return -1; // 0x40 and 0x80: extended and reserved label types
            }
            if (pos + 1 + b > end || length + 1 + b + 1 > MAX_NAME_LENGTH) {
                return -1;
            }
            if (out != null) {
                out[length] = (byte) b;
                buf.getBytes(pos + 1, out, length + 1, b);
            }
            length += 1 + b;
            pos += 1 + b;
        }
    }

    /** The lower-case dotted form of an uncompressed wire name; see {@link DnsQuery#name()}. */
    static String lowerDotted(byte[] wire) {
        byte[] text = new byte[Math.max(wire.length - 2, 0)];
        int i = 0;
        int o = 0;
        while (wire[i] != 0) {
            int len = wire[i++];
            if (o > 0) {
                text[o++] = '.';
            }
            for (int k = 0; k < len; k++) {
                byte c = wire[i++];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                } else if (c == '.') {
                    c = 0;
                }
                text[o++] = c;
            }
        }
        return new String(text, 0, o, StandardCharsets.ISO_8859_1);
    }

    private static DnsParseException formErr(int id, int flags, String reason) {
        return new DnsParseException(id, flags, RCODE_FORMERR, reason);
    }
}
