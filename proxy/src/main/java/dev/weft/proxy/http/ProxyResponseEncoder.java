package dev.weft.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The response encoder of a downstream HTTP/1.1 connection: told when the response answers a HEAD
 * request, so it writes no body framing; writes a raw response head ({@link RawResponse}) as its
 * bytes and then the body's bytes as they are (its Content-Length frames them), or a whole raw
 * response ({@link RawFullResponse}) as one buffer.
 */
final class ProxyResponseEncoder extends HttpResponseEncoder {
    boolean headResponse;
    /** A raw head went out; its body follows as plain bytes until the last content. */
    private boolean rawBody;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof RawResponse raw && raw.isRaw()) {
            rawBody = !(msg instanceof LastHttpContent); // a whole response carries its body
            raw.writeRaw(ctx, promise);
            return;
        }
        if (rawBody && msg instanceof HttpContent content) {
            if (content instanceof LastHttpContent) {
                rawBody = false;
            }
            ctx.write(content.content(), promise); // hands on the content's reference
            return;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headResponse || super.isContentAlwaysEmpty(msg);
    }
}
