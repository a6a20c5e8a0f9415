package dev.weft.proxy.config;

/**
 * Load-balancing algorithms the sidecar implements (Envoy's Cluster.LbPolicy names, plus
 * PEAK_EWMA, which Envoy lacks and xDS selects through cluster metadata).
 */
public enum LbPolicy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_REQUEST,
    PEAK_EWMA,
    RING_HASH,
    MAGLEV;

    /** Whether the policy picks by a request hash (consistent hashing). */
    public boolean hashing() {
        return this == RING_HASH || this == MAGLEV;
    }
}
