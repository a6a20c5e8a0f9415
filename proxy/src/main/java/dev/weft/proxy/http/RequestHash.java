package dev.weft.proxy.http;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.weft.proxy.config.HashPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request's key for hashing balancers, from the route's hash policies as Envoy combines them:
 * each policy that finds its input (header, cookie, source IP) rotates the hash so far left by one
 * and xors its own in; a terminal policy that found its input ends the walk. No input found: no
 * key, and the balancer picks at random. One per connection, reused for each request.
 */
final class RequestHash {
    private static final HashFunction HASH = Hashing.murmur3_128();

    private boolean found;
    private long value;

    /** Computes the key; {@link #found()} says whether any policy yielded one. */
    RequestHash compute(List<HashPolicy> policies, HttpHeaders headers, SocketAddress remote) {
        found = false;
        value = 0;
        for (int i = 0; i < policies.size(); i++) {
            HashPolicy p = policies.get(i);
            boolean got = switch (p.kind()) {
                case HEADER -> add(headers.get(p.name()));
                case COOKIE -> add(cookie(headers, p.name()));
                case SOURCE_IP -> remote instanceof InetSocketAddress isa && isa.getAddress() != null
                        && add(HASH.hashBytes(isa.getAddress().getAddress()).asLong());
            };
            if (got && p.terminal()) {
                break;
            }
        }
        return this;
    }

    boolean found() {
        return found;
    }

    long value() {
        return value;
    }

    private boolean add(String input) {
        return input != null && add(HASH.hashString(input, StandardCharsets.UTF_8).asLong());
    }

    private boolean add(long h) {
        value = (value << 1 | value >>> 63) ^ h;
        found = true;
        return true;
    }

    /** The value of cookie {@code name} in the request's Cookie headers, or null. */
    static String cookie(HttpHeaders headers, String name) {
        for (String line : headers.getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            int n = line.length();
            while (i < n) {
                int end = line.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int start = i;
                while (start < end && line.charAt(start) == ' ') {
                    start++;
                }
                int eq = line.indexOf('=', start);
                if (eq > 0 && eq < end && eq - start == name.length() && line.regionMatches(start, name, 0, name.length())) {
                    String v = line.substring(eq + 1, end).trim();
                    return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1) : v;
                }
                i = end + 1;
            }
        }
        return null;
    }
}
