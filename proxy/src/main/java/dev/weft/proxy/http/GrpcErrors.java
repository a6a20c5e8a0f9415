package dev.weft.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * The sidecar's own errors as a gRPC client expects them: HTTP 200 with {@code grpc-status} and
 * {@code grpc-message} in a trailers-only response, so the client sees UNAVAILABLE with the reason
 * instead of a bare HTTP status. Codes follow gRPC's HTTP-to-gRPC status mapping.
 */
final class GrpcErrors {
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNIMPLEMENTED = 12;

    private GrpcErrors() {
    }

    /** True when the request is a gRPC call (content-type application/grpc, optionally +proto and the like). */
    static boolean isGrpc(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    static int statusOf(ProxyError error) {
        int http = error.status().code();
        if (http == 404) {
            return UNIMPLEMENTED;
        }
        if (http == 502 || http == 503 || http == 504 || http == 429) {
            return UNAVAILABLE;
        }
        return INTERNAL;
    }

    static FullHttpResponse build(ProxyError error, String detail) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, statusOf(error))
                .set(GRPC_MESSAGE, percentEncode(error.reason() + ": " + detail))
                .set(ErrorResponses.X_WEFT_ERROR, error.reason());
        return r;
    }

    /** grpc-message is percent-encoded UTF-8: printable ASCII except '%' passes as is. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
