package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 message head kept as the bytes it arrived in (see {@link RawHeadScanner} for which
 * heads qualify), so that it is forwarded as those bytes instead of being parsed into a header list
 * and encoded again. It is a full Netty message all the same: the first call to {@link #headers()}
 * (or a setter) builds the header list, and from then on the message is an ordinary one that the
 * encoders write the usual way. The hot path asks it only for what the scanner already read.
 * Reference-counted through its bytes.
 */
abstract class RawHead implements ReferenceCounted {
    private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuf head;
    /** The {@code Connection: keep-alive} line (offsets into {@link #head}) left out when forwarding, or -1. */
    private final int skipStart;
    private final int skipEnd;
    private HttpHeaders headers;
    private boolean changed;
    private boolean addConnectionClose;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    RawHead(ByteBuf head, int skipStart, int skipEnd) {
        this.head = head;
        this.skipStart = skipStart;
        this.skipEnd = skipEnd;
    }

    /** True while the bytes are still the message: nothing asked for the header list or changed it. */
    final boolean isRaw() {
        return headers == null && !changed;
    }

    /** Makes the forwarded head say {@code Connection: close} (the downstream connection ends after it). */
    final void addConnectionClose() {
        addConnectionClose = true;
    }

    final void markChanged() {
        changed = true;
    }

    /**
     * Writes the head as it arrived, without its {@code Connection: keep-alive} line, and gives up
     * this message's reference. Only while {@link #isRaw()}.
     */
    final void writeRaw(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (skipStart < 0 && !addConnectionClose) {
            ctx.write(head, promise); // the bytes as they came, not copied
            return;
        }
        int end = head.readableBytes();
        int keptEnd = skipStart < 0 ? end - 2 : skipStart;
        int restStart = skipStart < 0 ? end - 2 : skipEnd;
        ByteBuf out = ctx.alloc().ioBuffer(end - (restStart - keptEnd) + (addConnectionClose ? CONNECTION_CLOSE.length : 0));
        out.writeBytes(head, head.readerIndex(), keptEnd);
        if (addConnectionClose) {
            // before the final empty line; a raw head never carries another Connection header
            int tail = head.readerIndex() + restStart;
            out.writeBytes(head, tail, end - restStart - 2).writeBytes(CONNECTION_CLOSE).writeBytes(head, head.readerIndex() + end - 2, 2);
        } else {
            out.writeBytes(head, head.readerIndex() + restStart, end - restStart);
        }
        head.release();
        ctx.write(out, promise);
    }

    public final HttpHeaders headers() {
        if (headers == null) {
            headers = parseHeaders();
            if (addConnectionClose) {
                headers.set("connection", "close");
            }
        }
        return headers;
    }

    /** The header list from the bytes, without the skipped line; the scanner has validated them. */
    private HttpHeaders parseHeaders() {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        int base = head.readerIndex();
        int end = base + head.readableBytes() - 2; // before the final empty line
        int pos = head.indexOf(base, end, (byte) '\n') + 1; // after the first line
        while (pos < end) {
            int lf = head.indexOf(pos, end + 2, (byte) '\n');
            if (pos - base != skipStart) {
                int colon = head.indexOf(pos, lf, (byte) ':');
                int v = colon + 1;
                int ve = lf - 1; // before CR
                while (v < ve && isSpace(head.getByte(v))) {
                    v++;
                }
                while (ve > v && isSpace(head.getByte(ve - 1))) {
                    ve--;
                }
                h.add(head.toString(pos, colon - pos, StandardCharsets.ISO_8859_1),
                        head.toString(v, ve - v, StandardCharsets.ISO_8859_1));
            }
            pos = lf + 1;
        }
        return h;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    public final HttpVersion protocolVersion() {
        return HttpVersion.HTTP_1_1;
    }

    @Deprecated
    public final HttpVersion getProtocolVersion() {
        return HttpVersion.HTTP_1_1;
    }

    /** Only HTTP/1.1 heads are raw; setting the version they have changes nothing. */
    final void checkVersion(HttpVersion version) {
        if (!HttpVersion.HTTP_1_1.equals(version)) {
            throw new UnsupportedOperationException("a raw HTTP/1.1 head stays HTTP/1.1, asked for " + version);
        }
    }

    public final DecoderResult decoderResult() {
        return decoderResult;
    }

    @Deprecated
    public final DecoderResult getDecoderResult() {
        return decoderResult;
    }

    public final void setDecoderResult(DecoderResult result) {
        this.decoderResult = result;
    }

    @Override
    public final int refCnt() {
        return head.refCnt();
    }

    @Override
    public final RawHead retain() {
        head.retain();
        return this;
    }

    @Override
    public final RawHead retain(int increment) {
        head.retain(increment);
        return this;
    }

    @Override
    public final RawHead touch() {
        head.touch();
        return this;
    }

    @Override
    public final RawHead touch(Object hint) {
        head.touch(hint);
        return this;
    }

    @Override
    public final boolean release() {
        return head.release();
    }

    @Override
    public final boolean release(int decrement) {
        return head.release(decrement);
    }
}
