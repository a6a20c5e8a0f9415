package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.HttpData;
import dev.weft.api.ValidationException;
import dev.weft.controlplane.registry.ConflictException;
import dev.weft.controlplane.registry.NotFoundException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each API family speaks errors: the native API answers JSON
 * ({@code {"error":"bad_request","field":"port","message":"..."}}), the Consul-compatible API
 * plain text, as Consul does.
 */
enum Dialect {
    NATIVE,
    CONSUL;

    private static final Logger log = LoggerFactory.getLogger(Dialect.class);
    static final ObjectMapper JSON = new ObjectMapper();

    static Dialect forPath(String path) {
        return path != null && path.startsWith("/v1/") ? CONSUL : NATIVE;
    }

    HttpResponse error(ApiException e) {
        return HttpResponse.of(ResponseHeaders.builder(e.status()).contentType(mediaType()).build(), HttpData.ofUtf8(errorBody(e)));
    }

    String errorBody(ApiException e) {
        if (this == CONSUL) {
            return e.getMessage();
        }
        ObjectNode o = JSON.createObjectNode().put("error", e.code());
        if (!e.field().isEmpty()) {
            o.put("field", e.field());
        }
        return o.put("message", e.getMessage()).toString();
    }

    MediaType mediaType() {
        return this == CONSUL ? MediaType.PLAIN_TEXT_UTF_8 : MediaType.JSON_UTF_8;
    }

    /** Any failure, from a handler or a registry future, as this dialect's error response. */
    HttpResponse error(Throwable t) {
        return error(toApiException(t));
    }

    /** A response computed later; failures become error responses. */
    HttpResponse async(CompletableFuture<HttpResponse> future) {
        return HttpResponse.of(future.exceptionally(this::error));
    }

    static ApiException toApiException(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException a) {
            return a;
        }
        if (t instanceof ValidationException v) {
            return ApiException.badRequest(v.field(), v.getMessage());
        }
        if (t instanceof NotFoundException) {
            return ApiException.notFound(t.getMessage());
        }
        if (t instanceof ConflictException) {
            return new ApiException(HttpStatus.CONFLICT, "conflict", "", t.getMessage());
        }
        if (t instanceof ContentTooLargeException c) {
            return tooLarge(c.maxContentLength());
        }
        if (t instanceof com.linecorp.armeria.server.HttpStatusException h) {
            HttpStatus s = h.httpStatus();
            if (s == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
                var ctx = com.linecorp.armeria.server.ServiceRequestContext.currentOrNull();
                return tooLarge(ctx == null ? -1 : ctx.maxRequestLength());
            }
            return new ApiException(s, s.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'), "", s.reasonPhrase());
        }
        if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("shutting down")) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "", t.getMessage());
        }
        log.error("http api: unexpected failure", t);
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "", "internal error: " + t);
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "",
                limit < 0 ? "request body is too large" : "request body is larger than the limit of " + limit + " bytes");
    }
}
