package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 message kept as the bytes it arrived in (see {@link RawHeadScanner} for which heads
 * qualify), so that it is forwarded as those bytes instead of being parsed into a header list and
 * encoded again: the head, and for a whole message its body too. It is a full Netty message all the
 * same: the first call to {@code headers()} (or a setter) builds the header list, and from then on
 * the message is an ordinary one that the encoders write the usual way. The hot path asks it only
 * for what the scanner already read. Reference-counted through its bytes.
 */
abstract class RawHead {
    private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The bytes to forward: the head (its {@code Connection: keep-alive} line already cut out), then any body. */
    ByteBuf bytes;
    /** Where the head ends in {@link #bytes} (after its final empty line). */
    int headLength;
    private HttpHeaders headers;
    private boolean changed;
    private boolean addConnectionClose;
    private DecoderResult decoderResult;

    /**
     * Sets up a holder taken from its class's pool. Holders are recycled (on the event loop) once the
     * last reference to their bytes is given up, so a steady stream of messages allocates none; as
     * with Netty's pooled buffers, a message must not be touched after its final release.
     */
    final void init(ByteBuf bytes, int headLength) {
        this.bytes = bytes;
        this.headLength = headLength;
        this.headers = null;
        this.changed = false;
        this.addConnectionClose = false;
        this.decoderResult = DecoderResult.SUCCESS;
    }

    /** Returns this holder to its pool. */
    abstract void recycle();

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
     * Writes the bytes (with {@code Connection: close} added to the head when asked) and gives up this
     * message's reference. Only while {@link #isRaw()}.
     */
    final void writeRaw(ChannelHandlerContext ctx, ChannelPromise promise) {
        boolean sole = bytes.refCnt() == 1; // then nobody else holds this message once its bytes are handed on
        if (!addConnectionClose) {
            ctx.write(bytes, promise); // the bytes as they came, not copied
            if (sole) {
                recycle();
            }
            return;
        }
        int start = bytes.readerIndex();
        int total = bytes.readableBytes();
        ByteBuf out = ctx.alloc().ioBuffer(total + CONNECTION_CLOSE.length);
        // before the head's final empty line; a raw head never carries another Connection header
        out.writeBytes(bytes, start, headLength - 2).writeBytes(CONNECTION_CLOSE).writeBytes(bytes, start + headLength - 2, total - headLength + 2);
        release();
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

    /** The header list from the bytes (the scanner has validated them). */
    private HttpHeaders parseHeaders() {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        int base = bytes.readerIndex();
        int end = base + headLength - 2; // before the final empty line
        int pos = bytes.indexOf(base, end, (byte) '\n') + 1; // after the first line
        while (pos < end) {
            int lf = bytes.indexOf(pos, end + 2, (byte) '\n');
            int colon = bytes.indexOf(pos, lf, (byte) ':');
            int v = colon + 1;
            int ve = lf - 1; // before CR
            while (v < ve && isSpace(bytes.getByte(v))) {
                v++;
            }
            while (ve > v && isSpace(bytes.getByte(ve - 1))) {
                ve--;
            }
            h.add(bytes.toString(pos, colon - pos, StandardCharsets.ISO_8859_1),
                    bytes.toString(v, ve - v, StandardCharsets.ISO_8859_1));
            pos = lf + 1;
        }
        return h;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    /** The body bytes that follow the head (empty for a head alone); they share this message's reference count. */
    final ByteBuf body() {
        return bytes.slice(bytes.readerIndex() + headLength, bytes.readableBytes() - headLength);
    }

    public final HttpVersion protocolVersion() {
        return HttpVersion.HTTP_1_1;
    }

    @Deprecated
    public final HttpVersion getProtocolVersion() {
        return HttpVersion.HTTP_1_1;
    }

    /** Only HTTP/1.1 heads are raw; setting the version they have changes nothing. */
    static void checkVersion(HttpVersion version) {
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

    public final int refCnt() {
        return bytes.refCnt();
    }

    public final boolean release() {
        if (bytes.release()) {
            recycle();
            return true;
        }
        return false;
    }

    public final boolean release(int decrement) {
        if (bytes.release(decrement)) {
            recycle();
            return true;
        }
        return false;
    }
}
