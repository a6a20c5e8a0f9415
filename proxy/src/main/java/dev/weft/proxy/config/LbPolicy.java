package dev.weft.proxy.config;

/** Load-balancing algorithms the sidecar implements (Envoy's Cluster.LbPolicy names). */
public enum LbPolicy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_REQUEST
}
