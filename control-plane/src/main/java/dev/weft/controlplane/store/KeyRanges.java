package dev.weft.controlplane.store;

/** Turns a key prefix into a half-open range, in the UTF-8 byte order SQLite's BINARY collation uses. */
final class KeyRanges {
    private KeyRanges() {}

    /**
     * The smallest string greater than every string starting with {@code prefix}, or null when there
     * is none (empty prefix, or one made only of U+10FFFF). UTF-8 byte order equals code point order,
     * so bumping the last code point that can grow gives the exclusive upper bound.
     */
    static String prefixEnd(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int cp = prefix.codePointBefore(end);
            int start = end - Character.charCount(cp);
            if (cp < Character.MAX_CODE_POINT) {
                int next = cp + 1;
                if (next == Character.MIN_SURROGATE) {
                    next = Character.MAX_SURROGATE + 1;
                }
                return prefix.substring(0, start) + new String(Character.toChars(next));
            }
            end = start;
        }
        return null;
    }

    static void requireKey(String key, String what) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(what + " must be a non-empty string");
        }
    }
}
