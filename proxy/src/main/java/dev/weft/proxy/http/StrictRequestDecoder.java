package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Netty's request decoder (strict line parsing, RFC 9112 Transfer-Encoding rules) plus the one rule
 * it does not enforce: obsolete line folding (a header line starting with SP or HT) is refused, as
 * RFC 9112 section 5.2 allows, instead of being joined into the previous header. The head's bytes
 * are checked before Netty consumes them; body bytes are never scanned.
 *
 * <p>In front of it, the raw path: a bodiless HTTP/1.1 request whose head needs no change (most
 * keep-alive GETs) becomes a {@link RawRequest} holding its bytes, a whole request; Netty parses
 * the rest. Host and target strings are kept from the
 * previous request on the connection when the bytes repeat, so a steady client costs no strings.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    private static final byte[] NONE = new byte[0];

    private final RawHeadScanner scanner;
    private final int maxInitialLine;
    private final int maxHeaderSize;
    private final MessageBoundary boundary = new MessageBoundary();
    private boolean broken;
    private byte[] lastHost = NONE;
    private String lastHostString;
    private byte[] lastTarget = NONE;
    private String lastTargetString;

    /** With {@code raw} false every request takes Netty's decoder (the reference the raw path is measured against). */
    StrictRequestDecoder(HttpDecoderConfig config, int maxInitialLine, int maxHeaderSize, boolean raw) {
        super(config);
        this.scanner = raw ? new RawHeadScanner() : null;
        this.maxInitialLine = maxInitialLine;
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (broken) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (scanner != null && boundary.atMessageStart()) {
            int length = scanner.scanRequest(buffer, maxInitialLine, maxHeaderSize);
            if (length == RawHeadScanner.INCOMPLETE) {
                return; // wait for the whole head; a folded line in it declines it then (the header-read timeout bounds the wait)
            }
            if (length > 0 && scanner.hasHost()) {
                out.add(rawRequest(buffer, ctx.alloc())); // whole: no last content follows
                return;
            }
        }
        if (boundary.inHead() && hasFoldedLine(buffer)) {
            broken = true;
            buffer.skipBytes(buffer.readableBytes());
            HttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("obsolete line folding in a header")));
            out.add(bad);
            return;
        }
        int before = buffer.readerIndex();
        int emitted = out.size();
        super.decode(ctx, buffer, out);
        boundary.afterDecode(out, emitted, buffer.readerIndex() > before);
    }

    private RawRequest rawRequest(ByteBuf buffer, ByteBufAllocator alloc) {
        RawHeadScanner s = scanner;
        byte[] b = s.bytes;
        if (!same(b, s.hostStart, s.hostEnd, lastHost)) {
            lastHost = Arrays.copyOfRange(b, s.hostStart, s.hostEnd);
            lastHostString = new String(lastHost, StandardCharsets.ISO_8859_1);
        }
        if (!same(b, s.targetStart, s.targetEnd, lastTarget)) {
            lastTarget = Arrays.copyOfRange(b, s.targetStart, s.targetEnd);
            lastTargetString = new String(lastTarget, StandardCharsets.ISO_8859_1);
        }
        return RawRequest.of(s.takeHead(buffer, 0, alloc), s.method, lastTargetString, lastHostString);
    }

    private static boolean same(byte[] b, int start, int end, byte[] previous) {
        return Arrays.equals(b, start, end, previous, 0, previous.length);
    }

    /** True when a complete header line in the unconsumed head starts with SP or HT. */
    private boolean hasFoldedLine(ByteBuf buf) {
        int pos = buf.readerIndex();
        int end = buf.writerIndex();
        boolean first = !boundary.headBegun();
        while (pos < end) {
            int lf = buf.indexOf(pos, end, (byte) '\n');
            if (lf < 0) {
                return false;
            }
            int len = lf - pos;
            if (len == 0 || (len == 1 && buf.getByte(pos) == '\r')) {
                if (!first) {
                    return false; // end of the head
                }
            } else {
                byte b = buf.getByte(pos);
                if (!first && (b == ' ' || b == '\t')) {
                    return true;
                }
                first = false;
            }
            pos = lf + 1;
        }
        return false;
    }
}
