package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** A response encoder told when the response answers a HEAD request, so it writes no body framing. */
final class ProxyResponseEncoder extends HttpResponseEncoder {
    boolean headResponse;

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headResponse || super.isContentAlwaysEmpty(msg);
    }
}
