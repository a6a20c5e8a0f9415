package dev.weft.proxy.config;

import java.util.Objects;

/**
 * One of a route's request-hash inputs for RING_HASH and MAGLEV clusters (Envoy's
 * RouteAction.hash_policy).
 *
 * @param name the header or cookie name; empty for SOURCE_IP
 * @param terminal when this policy yields a key, the later ones are skipped
 */
public record HashPolicy(Kind kind, String name, boolean terminal) {
    public enum Kind {
        HEADER,
        COOKIE,
        SOURCE_IP
    }

    public HashPolicy {
        Objects.requireNonNull(kind, "kind");
        name = name == null ? "" : name;
        if (kind != Kind.SOURCE_IP && name.isEmpty()) {
            throw new IllegalArgumentException(kind + " hash policy needs a name");
        }
    }
}
