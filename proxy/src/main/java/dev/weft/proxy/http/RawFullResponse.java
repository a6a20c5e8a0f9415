package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;

/**
 * A whole HTTP/1.1 response, head and Content-Length body, that arrived in one read: one message,
 * forwarded as one buffer. Its {@link #content()} is a view of the body within the bytes.
 */
final class RawFullResponse extends RawResponse implements FullHttpResponse {
    private static final Recycler<RawFullResponse> POOL = new Recycler<>() {
        @Override
        protected RawFullResponse newObject(Handle<RawFullResponse> handle) {
            return new RawFullResponse(handle);
        }
    };

    private final Recycler.Handle<RawFullResponse> fullHandle;

    private RawFullResponse(Recycler.Handle<RawFullResponse> handle) {
        super(null);
        this.fullHandle = handle;
    }

    static RawFullResponse of(ByteBuf bytes, int headLength, int code) {
        RawFullResponse r = POOL.get();
        r.init(bytes, headLength, code);
        return r;
    }

    @Override
    void recycle() {
        fullHandle.recycle(this);
    }

    @Override
    public ByteBuf content() {
        return body();
    }

    @Override
    public HttpHeaders trailingHeaders() {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public RawFullResponse setStatus(HttpResponseStatus status) {
        super.setStatus(status);
        return this;
    }

    @Override
    public RawFullResponse setProtocolVersion(HttpVersion version) {
        super.setProtocolVersion(version);
        return this;
    }

    @Override
    public FullHttpResponse copy() {
        return replace(body().copy());
    }

    @Override
    public FullHttpResponse duplicate() {
        return replace(body().duplicate());
    }

    @Override
    public FullHttpResponse retainedDuplicate() {
        return replace(body().retainedDuplicate());
    }

    @Override
    public FullHttpResponse replace(ByteBuf content) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status(), content, headers().copy(), EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public RawFullResponse retain() {
        super.retain();
        return this;
    }

    @Override
    public RawFullResponse retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public RawFullResponse touch() {
        super.touch();
        return this;
    }

    @Override
    public RawFullResponse touch(Object hint) {
        super.touch(hint);
        return this;
    }
}
