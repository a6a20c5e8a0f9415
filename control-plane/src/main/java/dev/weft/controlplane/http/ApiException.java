package dev.weft.controlplane.http;

import com.linecorp.armeria.common.HttpStatus;

/**
 * A request the API refuses, with everything needed to say why: the status, a stable error code
 * for the native API, the offending field (empty when none) and a human message.
 */
final class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String code;
    private final String field;

    ApiException(HttpStatus status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field == null ? "" : field;
    }

    static ApiException badRequest(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", field, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", "", message);
    }

    HttpStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }
}
