package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/** Removes connection-scoped headers before a message crosses the proxy (RFC 9110 section 7.6.1). */
final class HopByHop {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHop() {
    }

    static void strip(HttpHeaders h, boolean request) {
        List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.trim();
                // a client cannot make the proxy drop the headers that frame or route the message
                if (!name.isEmpty() && !name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding")
                        && !name.equalsIgnoreCase("host")) {
                    h.remove(name);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        String te = h.get(HttpHeaderNames.TE);
        if (te != null && !te.trim().equalsIgnoreCase("trailers")) {
            // "TE: trailers" is kept: gRPC needs it end to end, and it is the one TE value HTTP/2 allows
            h.remove(HttpHeaderNames.TE);
        }
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
        if (request) {
            h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        } else {
            h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        }
    }
}
