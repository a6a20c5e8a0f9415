package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decides whether an HTTP/1.1 message head may cross the sidecar as the bytes it arrived in, and
 * reads what the proxy needs from it (method, target, Host; status and Content-Length) without
 * building a header list. A head qualifies when nothing in it would be changed or refused on the
 * way: HTTP/1.1, strict syntax (token names, no folding, no control bytes, CRLF line ends), no
 * hop-by-hop header other than {@code Connection: keep-alive} (which is cut out when forwarding),
 * and simple framing (requests: no body; responses: one Content-Length). Everything else is
 * {@link #DECLINED} and takes Netty's decoder, which applies the same rules and answers errors; so a
 * head this scanner accepts is one the full path would have forwarded unchanged.
 *
 * <p>One scanner per connection (its fields are the last scan's result). The head is copied once into
 * a per-thread scratch array and read there: plain array reads instead of a ByteBuf bounds check per
 * byte, and no allocation.
 */
final class RawHeadScanner {
    /** The head is not all there yet. */
    static final int INCOMPLETE = 0;
    /** Not a head for the raw path: hand it to the full decoder. */
    static final int DECLINED = -1;
    /** Heads longer than this take the full decoder (which applies the configured limits). */
    static final int MAX_RAW_HEAD = 8192;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_RAW_HEAD];
        }
    };
    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};

    /** The scratch array the offsets below refer to; valid until the next scan on this thread. */
    byte[] bytes;
    /** Length of the head including its final empty line. */
    int length;
    HttpMethod method;
    int targetStart;
    int targetEnd;
    int hostStart;
    int hostEnd;
    int status;
    long contentLength;
    /** The {@code Connection: keep-alive} line to leave out when forwarding, or -1. */
    int skipStart;
    int skipEnd;

    /**
     * Scans a request head at the reader index of {@code buf} (nothing is consumed). Returns its length,
     * {@link #INCOMPLETE} or {@link #DECLINED}.
     */
    int scanRequest(ByteBuf buf, int maxInitialLine, int maxHeaderSize) {
        int len = copyHead(buf);
        if (len <= 0) {
            return len;
        }
        byte[] b = bytes;
        int i = 0;
        while (b[i] >= 'A' && b[i] <= 'Z') {
            i++;
        }
        method = method(b, i);
        if (method == null || b[i] != ' ') {
            return DECLINED; // an unusual method, or leading empty lines: the full decoder knows them
        }
        i++;
        if (b[i] != '/') {
            return DECLINED; // absolute-form, asterisk-form: rewritten or refused by the full path
        }
        targetStart = i;
        while (b[i] > 0x20 && b[i] < 0x7f) {
            i++;
        }
        targetEnd = i;
        if (i + 11 > len || b[i] != ' ' || !matches(b, i + 1, HTTP_1_1) || b[i + 9] != '\r' || b[i + 10] != '\n') {
            return DECLINED;
        }
        i += 11;
        if (i - 2 > maxInitialLine || len - i > maxHeaderSize) {
            return DECLINED; // the full decoder answers 414 / 431
        }
        return scanHeaders(b, i, len, true);
    }

    /**
     * Scans a response head. Declines what is not a plain final response with a Content-Length body
     * (1xx, 204, 304, chunked, read-until-close); the caller declines responses to HEAD.
     */
    int scanResponse(ByteBuf buf) {
        int len = copyHead(buf);
        if (len <= 0) {
            return len;
        }
        byte[] b = bytes;
        if (len < 17 || !matches(b, 0, HTTP_1_1) || b[8] != ' ' || !digit(b[9]) || !digit(b[10]) || !digit(b[11])) {
            return DECLINED;
        }
        status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        if (status < 200 || status > 599 || status == 204 || status == 304) {
            return DECLINED;
        }
        int i = 12;
        if (b[i] == ' ') {
            i++;
            while (b[i] != '\r') {
                if (control(b[i]) && b[i] != '\t') {
                    return DECLINED;
                }
                i++;
            }
        }
        if (b[i] != '\r' || b[i + 1] != '\n') {
            return DECLINED;
        }
        int r = scanHeaders(b, i + 2, len, false);
        return r > 0 && contentLength < 0 ? DECLINED : r;
    }

    /** Finds the end of the head (an empty line) and copies the head into the scratch array. */
    private int copyHead(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int limit = Math.min(end, start + MAX_RAW_HEAD);
        int pos = start;
        while (true) {
            int lf = buf.indexOf(pos, limit, (byte) '\n');
            if (lf < 0) {
                return end - start >= MAX_RAW_HEAD ? DECLINED : INCOMPLETE;
            }
            if (lf == pos) {
                return DECLINED; // a bare LF line end
            }
            if (lf == pos + 1 && pos > start && buf.getByte(pos) == '\r') {
                length = lf + 1 - start;
                break;
            }
            pos = lf + 1;
        }
        bytes = SCRATCH.get();
        buf.getBytes(start, bytes, 0, length);
        return length;
    }

    private int scanHeaders(byte[] b, int i, int len, boolean request) {
        hostStart = -1;
        hostEnd = -1;
        skipStart = -1;
        skipEnd = -1;
        contentLength = -1;
        while (true) {
            if (b[i] == '\r') {
                return i + 2 == len && b[i + 1] == '\n' ? len : DECLINED;
            }
            int nameStart = i;
            while (token(b[i])) {
                i++;
            }
            int nameLength = i - nameStart;
            if (nameLength == 0 || b[i] != ':') {
                return DECLINED; // a folded line, a space before the colon, a bad byte in the name
            }
            i++;
            while (b[i] == ' ' || b[i] == '\t') {
                i++;
            }
            int valueStart = i;
            while (true) {
                i = firstControl(b, i, len);
                if (b[i] != '\t') {
                    break;
                }
                i++; // HT is allowed in a value
            }
            if (b[i] != '\r' || b[i + 1] != '\n') {
                return DECLINED; // a control byte in the value, or a bare CR
            }
            int valueEnd = i;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            i += 2;
            switch (nameLength) {
                case 2, 6, 7, 10, 14, 16, 17, 18, 19 -> {
                    if (is(b, nameStart, nameLength, "te") || is(b, nameStart, nameLength, "expect")
                            || is(b, nameStart, nameLength, "upgrade") || is(b, nameStart, nameLength, "trailer")
                            || is(b, nameStart, nameLength, "keep-alive") || is(b, nameStart, nameLength, "proxy-connection")
                            || is(b, nameStart, nameLength, "transfer-encoding") || is(b, nameStart, nameLength, "proxy-authenticate")
                            || is(b, nameStart, nameLength, "proxy-authorization")) {
                        return DECLINED;
                    }
                    if (is(b, nameStart, nameLength, "connection")) {
                        if (skipStart >= 0 || !is(b, valueStart, valueEnd - valueStart, "keep-alive")) {
                            return DECLINED; // close, upgrade, or headers named for removal
                        }
                        skipStart = nameStart;
                        skipEnd = i;
                    } else if (is(b, nameStart, nameLength, "content-length")) {
                        if (request || contentLength >= 0 || valueEnd - valueStart > 18 || valueEnd == valueStart) {
                            return DECLINED; // request bodies, and every doubtful length, take the full path
                        }
                        long n = 0;
                        for (int k = valueStart; k < valueEnd; k++) {
                            if (!digit(b[k])) {
                                return DECLINED;
                            }
                            n = n * 10 + (b[k] - '0');
                        }
                        contentLength = n;
                    }
                }
                case 4 -> {
                    if (request && is(b, nameStart, nameLength, "host")) {
                        if (hostStart >= 0 || valueEnd == valueStart) {
                            return DECLINED; // two Host headers or an empty one: refused by the full path
                        }
                        hostStart = valueStart;
                        hostEnd = valueEnd;
                    }
                }
                default -> {
                }
            }
        }
        // unreachable: the copied head ends with an empty line
    }

    /**
     * Takes the scanned head out of {@code buf} into a new pooled buffer, without the skipped
     * {@code Connection: keep-alive} line, followed by {@code bodyBytes} of body: the exact bytes to
     * forward. A copy (from the scratch array, then the body) rather than a slice of the read buffer:
     * the event loop recycles pooled buffers, while a slice of one is a new object per message.
     */
    ByteBuf takeHead(ByteBuf buf, int bodyBytes, ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(forwardedHeadLength() + bodyBytes);
        if (skipStart >= 0) {
            out.writeBytes(bytes, 0, skipStart).writeBytes(bytes, skipEnd, length - skipEnd);
        } else {
            out.writeBytes(bytes, 0, length);
        }
        buf.skipBytes(length);
        if (bodyBytes > 0) {
            out.writeBytes(buf, bodyBytes);
        }
        return out;
    }

    /** The head's length once {@link #takeHead} has cut the skipped line. */
    int forwardedHeadLength() {
        return skipStart >= 0 ? length - (skipEnd - skipStart) : length;
    }

    /** True after a request scan that found a Host header (the raw path requires one). */
    boolean hasHost() {
        return hostStart >= 0;
    }

    private static HttpMethod method(byte[] b, int length) {
        return switch (length) {
            case 3 -> b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? HttpMethod.GET
                    : b[0] == 'P' && b[1] == 'U' && b[2] == 'T' ? HttpMethod.PUT : null;
            case 4 -> b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T' ? HttpMethod.POST
                    : b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' ? HttpMethod.HEAD : null;
            case 5 -> b[0] == 'P' && b[1] == 'A' && b[2] == 'T' && b[3] == 'C' && b[4] == 'H' ? HttpMethod.PATCH : null;
            case 6 -> b[0] == 'D' && b[1] == 'E' && b[2] == 'L' && b[3] == 'E' && b[4] == 'T' && b[5] == 'E' ? HttpMethod.DELETE : null;
            case 7 -> matches(b, 0, OPTIONS) ? HttpMethod.OPTIONS : null;
            default -> null; // CONNECT, TRACE, extension methods: the full path
        };
    }

    private static final byte[] OPTIONS = {'O', 'P', 'T', 'I', 'O', 'N', 'S'};

    /** Case-insensitive comparison with a lower-case name (OR 0x20 folds only letters among token bytes). */
    private static boolean is(byte[] b, int start, int length, String lower) {
        if (length != lower.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if ((b[start + k] | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] b, int at, byte[] what) {
        for (int k = 0; k < what.length; k++) {
            if (b[at + k] != what[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The index of the first control byte (below 0x20, or DEL) at or after {@code i}; the head's line
     * ends guarantee one before {@code end}. Eight bytes per step: header values are most of a head's
     * bytes. In each step the lowest flagged byte is exact (a borrow only runs towards higher bytes).
     */
    private static int firstControl(byte[] b, int i, int end) {
        while (i + Long.BYTES <= end) {
            long x = (long) LONGS.get(b, i);
            long below20 = (x - 0x2020202020202020L) & ~x & 0x8080808080808080L;
            long y = x ^ 0x7f7f7f7f7f7f7f7fL;
            long del = (y - 0x0101010101010101L) & ~y & 0x8080808080808080L;
            long found = below20 | del;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += Long.BYTES;
        }
        while (!control(b[i])) {
            i++;
        }
        return i;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Control bytes (CR, LF, NUL, DEL...) may not appear in a value; obs-text (0x80-0xFF) may. */
    private static boolean control(byte c) {
        return (c >= 0 && c < 0x20) || c == 0x7f;
    }

    /** RFC 9110 tchar. */
    private static boolean token(byte c) {
        return c > 0 && TOKEN[c];
    }

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }
}
