package dev.weft.controlplane.http;

import dev.weft.api.ValidationException;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as Go's {@code time.ParseDuration} writes them ({@code "10s"}, {@code "1m30s"},
 * {@code "1.5h"}, {@code "500ms"}), the format both Consul and Weft's native API use.
 */
final class GoDuration {
    private static final BigDecimal NANOS_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /** Parses {@code text}; errors name {@code field}. Negative values parse (callers decide). */
    static Duration parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new ValidationException(field, "must be a duration such as \"10s\", \"500ms\" or \"1m30s\"");
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(field, text);
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(field, text);
            }
            long nanosPerUnit = switch (unit) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new ValidationException(field, "'" + printable(text) + "' is missing a unit (ns, us, ms, s, m, h)");
                default -> throw new ValidationException(field, "'" + printable(text) + "' has an unknown unit '" + printable(unit) + "'");
            };
            total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit)));
            if (total.compareTo(NANOS_MAX) > 0) {
                throw new ValidationException(field, "'" + printable(text) + "' is too long a duration");
            }
        }
        long nanos = total.longValue();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    /** Go's formatting: {@code 1h0m0s}, {@code 1m30s}, {@code 10s}, {@code 500ms}, {@code 0s}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        if (d.isNegative()) {
            b.append('-');
            d = d.negated();
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            long nanos = d.toNanos();
            if (nanos % 1_000_000 == 0) {
                return b.append(nanos / 1_000_000).append("ms").toString();
            }
            if (nanos % 1_000 == 0) {
                return b.append(nanos / 1_000).append("us").toString();
            }
            return b.append(nanos).append("ns").toString();
        }
        long hours = d.toHours();
        long minutes = d.toMinutesPart();
        BigDecimal seconds = BigDecimal.valueOf(d.toSecondsPart()).add(BigDecimal.valueOf(d.toNanosPart(), 9)).stripTrailingZeros();
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            b.append(minutes).append('m');
        }
        return b.append(seconds.toPlainString()).append('s').toString();
    }

    private static ValidationException invalid(String field, String text) {
        return new ValidationException(field, "'" + printable(text) + "' is not a duration such as \"10s\", \"500ms\" or \"1m30s\"");
    }

    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && b.length() < 64; i++) {
            char c = value.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return value.length() > 64 ? b.append("...").toString() : b.toString();
    }
}
