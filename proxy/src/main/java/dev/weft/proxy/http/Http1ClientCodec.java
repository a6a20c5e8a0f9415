package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an upstream connection. Like Netty's {@code HttpClientCodec} it remembers
 * the method of each request sent, so that the response to a HEAD is read without a body; unlike it,
 * it forwards raw request heads ({@link RawRequest}) as their bytes and reads plain responses (a
 * Content-Length body, nothing to change in the head) as {@link RawResponse} and body slices,
 * without Netty's header parsing. Anything else goes through Netty's encoder and decoder.
 */
final class Http1ClientCodec extends CombinedChannelDuplexHandler<Http1ClientCodec.ResponseDecoder, Http1ClientCodec.RequestEncoder> {
    /** Bodies up to this size that arrive with their head travel in one buffer with it (copied); larger ones as slices. */
    private static final int MAX_WHOLE_BODY = 16 * 1024;
    /** Methods of the requests whose responses have not begun, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    Http1ClientCodec(HttpDecoderConfig config, boolean raw) {
        init(new ResponseDecoder(config, raw), new RequestEncoder());
    }

    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpRequest req) {
                methods.add(req.method());
                if (msg instanceof RawRequest raw && raw.isRaw()) {
                    raw.writeRaw(ctx, promise); // a whole request: nothing follows it
                    return;
                }
            }
            super.write(ctx, msg, promise);
        }
    }

    final class ResponseDecoder extends HttpResponseDecoder {
        private final RawHeadScanner scanner;
        /** Body bytes of the raw response being read, or -1 between raw responses. */
        private long rawRemaining = -1;
        private final MessageBoundary boundary = new MessageBoundary();

        ResponseDecoder(HttpDecoderConfig config, boolean raw) {
            super(config);
            this.scanner = raw ? new RawHeadScanner() : null;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (rawRemaining >= 0) {
                rawBody(buffer, out);
                return;
            }
            if (scanner != null && boundary.atMessageStart()) {
                HttpMethod method = methods.peek();
                if (method != null && method != HttpMethod.HEAD && method != HttpMethod.CONNECT) {
                    int length = scanner.scanResponse(buffer);
                    if (length == RawHeadScanner.INCOMPLETE) {
                        return; // the rest of the head is on its way (the route timeout bounds the wait)
                    }
                    if (length > 0) {
                        methods.poll();
                        long bodyLength = scanner.contentLength;
                        if (bodyLength <= MAX_WHOLE_BODY && buffer.readableBytes() - length >= bodyLength) {
                            // the whole (small) response is here: one message, one buffer
                            out.add(RawFullResponse.of(scanner.takeHead(buffer, (int) bodyLength, ctx.alloc()),
                                    scanner.forwardedHeadLength(), scanner.status));
                        } else {
                            out.add(RawResponse.of(scanner.takeHead(buffer, 0, ctx.alloc()), scanner.forwardedHeadLength(), scanner.status));
                            rawRemaining = bodyLength;
                            rawBody(buffer, out);
                        }
                        return;
                    }
                }
            }
            int before = buffer.readerIndex();
            int emitted = out.size();
            super.decode(ctx, buffer, out);
            boundary.afterDecode(out, emitted, buffer.readerIndex() > before);
        }

        /** Slices of the body as they arrive, the last one ending the response. */
        private void rawBody(ByteBuf buffer, List<Object> out) {
            if (rawRemaining == 0) {
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                rawRemaining = -1;
                return;
            }
            int n = (int) Math.min(buffer.readableBytes(), rawRemaining);
            if (n == 0) {
                return;
            }
            ByteBuf slice = buffer.readRetainedSlice(n);
            rawRemaining -= n;
            if (rawRemaining == 0) {
                rawRemaining = -1;
                out.add(new DefaultLastHttpContent(slice, EmptyHttpHeaders.INSTANCE));
            } else {
                out.add(new DefaultHttpContent(slice));
            }
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (rawRemaining >= 0) {
                // closed inside a raw body: pass on what came; the exchange fails when the close reaches it,
                // as with Netty's decoder (no last content for a truncated body)
                if (in.isReadable()) {
                    rawBody(in, out);
                }
                rawRemaining = -1;
                return;
            }
            super.decodeLast(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            if (code >= 100 && code < 200) {
                return super.isContentAlwaysEmpty(msg); // not the final response: its request stays queued
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && code / 100 == 2) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
