package dev.weft.api;

/**
 * Input that cannot be accepted. {@link #field()} is the path of the offending field as the user
 * wrote it (for example {@code checks[1].ttl}), so that an API error can point at it.
 */
public final class ValidationException extends IllegalArgumentException {
    private final String field;

    public ValidationException(String field, String reason) {
        super(field.isEmpty() ? reason : field + ": " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The same problem, seen from an enclosing object: {@code port} becomes {@code Service.port}. */
    public ValidationException under(String parent) {
        return new ValidationException(field.isEmpty() ? parent : parent + "." + field, reason());
    }

    /** The message without the field path. */
    public String reason() {
        String m = getMessage();
        return field.isEmpty() ? m : m.substring(field.length() + 2);
    }
}
