package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;

/**
 * A bodiless HTTP/1.1 request forwarded as its bytes; see {@link RawHead}. Whole (a
 * {@link FullHttpRequest}): nothing follows it, and every codec sees a complete request.
 */
final class RawRequest extends RawHead implements FullHttpRequest {
    private static final Recycler<RawRequest> POOL = new Recycler<>() {
        @Override
        protected RawRequest newObject(Handle<RawRequest> handle) {
            return new RawRequest(handle);
        }
    };

    private final Recycler.Handle<RawRequest> handle;
    private HttpMethod method;
    private String uri;
    /** The Host header's value (the scanner requires exactly one, not empty). */
    private String host;

    private RawRequest(Recycler.Handle<RawRequest> handle) {
        this.handle = handle;
    }

    static RawRequest of(ByteBuf head, HttpMethod method, String uri, String host) {
        RawRequest r = POOL.get();
        r.init(head, head.readableBytes());
        r.method = method;
        r.uri = uri;
        r.host = host;
        return r;
    }

    @Override
    void recycle() {
        method = null;
        uri = null;
        host = null;
        handle.recycle(this);
    }

    String host() {
        return host;
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    @Deprecated
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public RawRequest setMethod(HttpMethod method) {
        markChanged();
        this.method = method;
        return this;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    @Deprecated
    public String getUri() {
        return uri;
    }

    @Override
    public RawRequest setUri(String uri) {
        markChanged();
        this.uri = uri;
        return this;
    }

    @Override
    public RawRequest setProtocolVersion(HttpVersion version) {
        checkVersion(version);
        return this;
    }

    @Override
    public ByteBuf content() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public HttpHeaders trailingHeaders() {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public FullHttpRequest copy() {
        return replace(Unpooled.EMPTY_BUFFER);
    }

    @Override
    public FullHttpRequest duplicate() {
        return replace(Unpooled.EMPTY_BUFFER);
    }

    @Override
    public FullHttpRequest retainedDuplicate() {
        return replace(Unpooled.EMPTY_BUFFER);
    }

    @Override
    public FullHttpRequest replace(ByteBuf content) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content, headers().copy(), EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public RawRequest retain() {
        bytes.retain();
        return this;
    }

    @Override
    public RawRequest retain(int increment) {
        bytes.retain(increment);
        return this;
    }

    @Override
    public RawRequest touch() {
        bytes.touch();
        return this;
    }

    @Override
    public RawRequest touch(Object hint) {
        bytes.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "RawRequest(" + method + " " + uri + " HTTP/1.1, raw=" + isRaw() + ")";
    }
}
