package dev.weft.api;

import java.util.regex.Pattern;

/**
 * Name rules shared by every interface. Service names and tags become DNS labels
 * ({@code <tag>.<service>.service.<domain>}), so they follow RFC 1123 label rules; instance and
 * check ids are looser but still safe in URL paths and store keys.
 */
public final class Names {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private Names() {}

    /** Service names: lower-case RFC 1123 labels, at most 63 characters. */
    public static String serviceName(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "is required");
        }
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new ValidationException(field, "'" + printable(value)
                    + "' is not a valid name: use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return value;
    }

    /** Tags take part in DNS names too; they are matched case-insensitively, as DNS is. */
    public static String tag(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "must not be empty");
        }
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new ValidationException(field, "'" + printable(value)
                    + "' is not a valid tag: use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return value;
    }

    /** Instance and check ids: letters, digits, '.', '_', ':' and '-', at most 128 characters. */
    public static String id(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "is required");
        }
        if (!ID.matcher(value).matches()) {
            throw new ValidationException(field, "'" + printable(value)
                    + "' is not a valid id: use at most 128 letters, digits, '.', '_', ':' and '-', starting with a letter or digit");
        }
        return value;
    }

    /** Keeps error messages on one line and short, whatever the client sent. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && b.length() < 80; i++) {
            char c = value.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (value.length() > 80) {
            b.append("...");
        }
        return b.toString();
    }
}
