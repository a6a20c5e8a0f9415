package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/** A bodiless HTTP/1.1 request head forwarded as its bytes; see {@link RawHead}. */
final class RawRequest extends RawHead implements HttpRequest {
    private HttpMethod method;
    private String uri;
    /** The Host header's value (the scanner requires exactly one, not empty). */
    private final String host;

    RawRequest(ByteBuf head, int skipStart, int skipEnd, HttpMethod method, String uri, String host) {
        super(head, skipStart, skipEnd);
        this.method = method;
        this.uri = uri;
        this.host = host;
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
    public HttpRequest setMethod(HttpMethod method) {
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
    public HttpRequest setUri(String uri) {
        markChanged();
        this.uri = uri;
        return this;
    }

    @Override
    public HttpRequest setProtocolVersion(HttpVersion version) {
        checkVersion(version);
        return this;
    }

    @Override
    public String toString() {
        return "RawRequest(" + method + " " + uri + " HTTP/1.1, raw=" + isRaw() + ")";
    }
}
