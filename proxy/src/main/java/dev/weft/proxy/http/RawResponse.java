package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;
import io.netty.util.ReferenceCounted;

/**
 * The head of an HTTP/1.1 response with a Content-Length body, forwarded as its bytes; see
 * {@link RawHead}. Its body follows as content slices ({@link RawFullResponse} when the whole body
 * arrived with the head).
 */
class RawResponse extends RawHead implements HttpResponse, ReferenceCounted {
    private static final Recycler<RawResponse> POOL = new Recycler<>() {
        @Override
        protected RawResponse newObject(Handle<RawResponse> handle) {
            return new RawResponse(handle);
        }
    };

    private final Recycler.Handle<RawResponse> handle;
    private HttpResponseStatus status;

    RawResponse(Recycler.Handle<RawResponse> handle) {
        this.handle = handle;
    }

    static RawResponse of(ByteBuf bytes, int headLength, int code) {
        RawResponse r = POOL.get();
        r.init(bytes, headLength, code);
        return r;
    }

    final void init(ByteBuf bytes, int headLength, int code) {
        init(bytes, headLength);
        this.status = HttpResponseStatus.valueOf(code); // a shared constant for every registered code
    }

    @Override
    void recycle() {
        status = null;
        handle.recycle(this);
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
