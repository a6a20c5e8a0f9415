package dev.weft.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;

/**
 * Why the sidecar answered a request itself. The reason is the {@code x-weft-error} header, the
 * first word of the one-line body and the {@code reason} label of weft_requests_total.
 */
public enum ProxyError {
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG),
    HEADER_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    HEADER_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT),
    NO_CONFIG(HttpResponseStatus.SERVICE_UNAVAILABLE),
    UNKNOWN_SERVICE(HttpResponseStatus.SERVICE_UNAVAILABLE),
    NO_ROUTE(HttpResponseStatus.NOT_FOUND),
    UNKNOWN_CLUSTER(HttpResponseStatus.SERVICE_UNAVAILABLE),
    NO_HEALTHY_UPSTREAM(HttpResponseStatus.SERVICE_UNAVAILABLE),
    UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY),
    UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT);

    /** The label value of requests the upstream answered. */
    public static final String NONE = "none";

    private final HttpResponseStatus status;
    private final String reason = name().toLowerCase(Locale.ROOT);

    ProxyError(HttpResponseStatus status) {
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
