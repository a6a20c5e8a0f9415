package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Removes connection-scoped headers before a message crosses the proxy (RFC 9110 section 7.6.1).
 * On the request path of every exchange: the usual {@code Connection: keep-alive} / {@code close}
 * is recognised in place, without splitting the value or copying the header list.
 */
final class HopByHop {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHop() {
    }

    static void strip(HttpHeaders h, boolean request) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            removeListed(h);
            h.remove(HttpHeaderNames.CONNECTION);
        }
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

    /** Removes every header the Connection header names (its own tokens close and keep-alive need no work). */
    private static void removeListed(HttpHeaders h) {
        List<String> named = null;
        for (Iterator<String> values = h.valueStringIterator(HttpHeaderNames.CONNECTION); values.hasNext(); ) {
            String value = values.next();
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                int from = start;
                int to = end;
                while (from < to && isSpace(value.charAt(from))) {
                    from++;
                }
                while (to > from && isSpace(value.charAt(to - 1))) {
                    to--;
                }
                if (to > from && !is(value, from, to, "close") && !is(value, from, to, "keep-alive")
                        // a client cannot make the proxy drop the headers that frame or route the message
                        && !is(value, from, to, "content-length") && !is(value, from, to, "transfer-encoding")
                        && !is(value, from, to, "host")) {
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(value.substring(from, to));
                }
                start = end + 1;
            }
        }
        if (named != null) {
            for (String name : named) {
                h.remove(name); // after the iteration: removing while iterating the header list is not safe
            }
        }
    }

    private static boolean is(String value, int from, int to, String token) {
        return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
