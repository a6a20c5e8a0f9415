package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * The message-framing rules Netty's decoder leaves to us (RFC 9112 section 6): a request may carry
 * one Content-Length of decimal digits, or one Transfer-Encoding that is exactly "chunked", never
 * both. Anything else could be read differently by another hop, so it is refused.
 */
final class RequestFraming {
    private RequestFraming() {
    }

    /** Null when the request's framing headers are acceptable, else what is wrong with them. */
    static String check(HttpRequest req) {
        HttpHeaders h = req.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty() && !cl.isEmpty()) {
            return "both Content-Length and Transfer-Encoding";
        }
        if (cl.size() > 1) {
            return "more than one Content-Length";
        }
        if (cl.size() == 1 && !isDecimal(cl.get(0))) {
            return "Content-Length is not a decimal number: " + printable(cl.get(0));
        }
        if (te.size() > 1) {
            return "more than one Transfer-Encoding";
        }
        if (te.size() == 1 && !te.get(0).equalsIgnoreCase("chunked")) {
            return "Transfer-Encoding other than chunked: " + printable(te.get(0));
        }
        if (!te.isEmpty() && req.protocolVersion().minorVersion() == 0) {
            return "Transfer-Encoding in an HTTP/1.0 request";
        }
        return null;
    }

    private static boolean isDecimal(String s) {
        // at most 18 digits: fits a long, and no body that size is real
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64) + 2).append('"');
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.append('"').toString();
    }
}
