package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder (strict line parsing, RFC 9112 Transfer-Encoding rules) plus the one rule
 * it does not enforce: obsolete line folding (a header line starting with SP or HT) is refused, as
 * RFC 9112 section 5.2 allows, instead of being joined into the previous header. The head's bytes
 * are checked before Netty consumes them; body bytes are never scanned.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    private boolean inHead = true;
    private boolean headLinesConsumed;
    private boolean broken;

    StrictRequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (broken) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (inHead && hasFoldedLine(buffer)) {
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
        for (int i = emitted; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpRequest) {
                inHead = false;
                headLinesConsumed = false;
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
                headLinesConsumed = false;
            }
        }
        if (inHead && out.size() == emitted && buffer.readerIndex() > before) {
            headLinesConsumed = true;
        }
    }

    /** True when a complete header line in the unconsumed head starts with SP or HT. */
    private boolean hasFoldedLine(ByteBuf buf) {
        int pos = buf.readerIndex();
        int end = buf.writerIndex();
        boolean first = !headLinesConsumed;
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
