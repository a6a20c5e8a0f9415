package dev.weft.controlplane.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Reads a request body as one JSON object, with errors that say where and what went wrong. */
final class JsonBodies {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private JsonBodies() {}

    /**
     * The body as a JSON object. The native API refuses content types that are clearly not JSON
     * (415: multipart, XML, HTML, media); form data is accepted because curl labels JSON so by
     * default. The Consul API takes any content type, as Consul does.
     */
    static CompletableFuture<ObjectNode> object(ServiceRequestContext ctx, HttpRequest req, Dialect dialect) {
        MediaType type = req.contentType();
        if (dialect == Dialect.NATIVE && type != null && clearlyNotJson(type)) {
            return CompletableFuture.failedFuture(new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "",
                    "Content-Type " + type.nameWithoutParameters() + " is not JSON; send application/json"));
        }
        return req.aggregate()
                .exceptionally(t -> {
                    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                    if (cause instanceof ContentTooLargeException
                            || (cause instanceof HttpStatusException h && h.httpStatus() == HttpStatus.REQUEST_ENTITY_TOO_LARGE)) {
                        throw Dialect.tooLarge(ctx.maxRequestLength());
                    }
                    throw new java.util.concurrent.CompletionException(cause);
                })
                .thenApply(agg -> parse(agg.content().array(), dialect));
    }

    static ObjectNode parse(byte[] body, Dialect dialect) {
        if (isBlank(body)) {
            throw bad(dialect, "request body is empty; expected a JSON object");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
            throw bad(dialect, "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(dialect, "unreadable body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw bad(dialect, "request body is empty; expected a JSON object");
        }
        if (!node.isObject()) {
            throw bad(dialect, "request body must be a JSON object, not " + JsonFields.describe(node));
        }
        return (ObjectNode) node;
    }

    private static ApiException bad(Dialect dialect, String message) {
        return ApiException.badRequest("", dialect == Dialect.CONSUL ? "Request decode failed: " + message : message);
    }

    private static boolean clearlyNotJson(MediaType t) {
        String type = t.type();
        String sub = t.subtype();
        // application/x-www-form-urlencoded is accepted: it is what `curl --data` sends unless told
        // otherwise, and the body is parsed as JSON whatever the label says.
        return type.equals("multipart") || type.equals("image") || type.equals("audio")
                || type.equals("video") || sub.equals("xml") || sub.endsWith("+xml") || sub.equals("html");
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
                return false;
            }
        }
        return true;
    }
}
