package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCounted;

/**
 * The head of an HTTP/1.1 response with a Content-Length body, forwarded as its bytes; see
 * {@link RawHead}. Its body follows as content slices ({@link RawFullResponse} when the whole body
 * arrived with the head).
 */
class RawResponse extends RawHead implements HttpResponse, ReferenceCounted {
    private HttpResponseStatus status;

    RawResponse(ByteBuf bytes, int headLength, int code) {
        super(bytes, headLength);
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
    public RawResponse setStatus(HttpResponseStatus status) {
        markChanged();
        this.status = status;
        return this;
    }

    @Override
    public RawResponse setProtocolVersion(HttpVersion version) {
        checkVersion(version);
        return this;
    }

    @Override
    public RawResponse retain() {
        bytes.retain();
        return this;
    }

    @Override
    public RawResponse retain(int increment) {
        bytes.retain(increment);
        return this;
    }

    @Override
    public RawResponse touch() {
        bytes.touch();
        return this;
    }

    @Override
    public RawResponse touch(Object hint) {
        bytes.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + status + ", raw=" + isRaw() + ")";
    }
}
