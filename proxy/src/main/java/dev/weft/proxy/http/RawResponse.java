package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** An HTTP/1.1 response head with a Content-Length body, forwarded as its bytes; see {@link RawHead}. */
final class RawResponse extends RawHead implements HttpResponse {
    private HttpResponseStatus status;

    RawResponse(ByteBuf head, int skipStart, int skipEnd, int code) {
        super(head, skipStart, skipEnd);
        this.status = HttpResponseStatus.valueOf(code); // a shared constant for every registered code
    }

    @Override
    public HttpResponseStatus status() {
        return status;
    }

    @Override
    @Deprecated
    public HttpResponseStatus getStatus() {
        return status;
    }

    @Override
    public HttpResponse setStatus(HttpResponseStatus status) {
        markChanged();
        this.status = status;
        return this;
    }

    @Override
    public HttpResponse setProtocolVersion(HttpVersion version) {
        checkVersion(version);
        return this;
    }

    @Override
    public String toString() {
        return "RawResponse(" + status + ", raw=" + isRaw() + ")";
    }
}
