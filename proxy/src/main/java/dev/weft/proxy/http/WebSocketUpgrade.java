package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The HTTP/1.1 WebSocket handshake (RFC 6455 section 4): a GET with {@code Upgrade: websocket} and
 * {@code Connection: upgrade}. Those two headers are hop-by-hop, yet each hop must pass them on or
 * the upstream never sees the handshake; other upgrades (h2c, TLS) are stripped like any
 * hop-by-hop header and the request proceeds as plain HTTP/1.1.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {
    }

    static boolean isRequested(HttpRequest req) {
        if (!req.method().equals(HttpMethod.GET)) {
            return false;
        }
        HttpHeaders h = req.headers();
        return h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Puts back the two headers {@link HopByHop#strip} removed. */
    static void restoreRequestHeaders(HttpHeaders h) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
}
