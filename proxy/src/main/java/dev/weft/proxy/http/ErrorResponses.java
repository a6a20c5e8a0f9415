package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Responses the sidecar writes itself: x-weft-error and a one-line body naming the reason and service. */
final class ErrorResponses {
    static final AsciiString X_WEFT_ERROR = AsciiString.cached("x-weft-error");
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");

    private ErrorResponses() {
    }

    static FullHttpResponse build(ByteBufAllocator alloc, ProxyError error, String detail, boolean close) {
        byte[] line = (error.reason() + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(line.length).writeBytes(line);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(), body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, line.length)
                .set(X_WEFT_ERROR, error.reason());
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }
}
