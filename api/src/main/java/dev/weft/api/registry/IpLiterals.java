package dev.weft.api.registry;

import dev.weft.api.ValidationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IP literals without ever asking DNS (InetAddress.getByName would resolve a host name). */
public final class IpLiterals {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpLiterals() {}

    /** The address bytes of an IPv4 or IPv6 literal, or a ValidationException naming {@code field}. */
    public static InetAddress parse(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "is required");
        }
        boolean v4 = IPV4.matcher(value).matches();
        boolean v6 = !v4 && value.indexOf(':') >= 0 && IPV6_CHARS.matcher(value).matches();
        if (!v4 && !v6) {
            throw new ValidationException(field, "'" + shorten(value) + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(value); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new ValidationException(field, "'" + shorten(value) + "' is not an IPv4 or IPv6 address");
        }
    }

    /** The canonical text form ({@code ::1} rather than {@code 0:0:0:0:0:0:0:1}). */
    public static String canonical(String field, String value) {
        InetAddress a = parse(field, value);
        if (a instanceof java.net.Inet6Address) {
            return compress(a.getHostAddress());
        }
        return a.getHostAddress();
    }

    private static String compress(String full) {
        // RFC 5952: collapse the longest run of zero groups.
        String[] groups = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            b.append(groups[i]).append(i < bestStart - 1 ? ":" : "");
        }
        b.append("::");
        for (int i = bestStart + bestLen; i < groups.length; i++) {
            b.append(groups[i]).append(i < groups.length - 1 ? ":" : "");
        }
        return b.toString();
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
