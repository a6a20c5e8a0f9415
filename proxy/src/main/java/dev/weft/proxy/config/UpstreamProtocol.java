package dev.weft.proxy.config;

/** The HTTP version the sidecar speaks to a cluster's endpoints. */
public enum UpstreamProtocol {
    /** HTTP/1.1 over pooled keep-alive connections (Envoy's default for a cluster). */
    HTTP1,
    /** HTTP/2 with prior knowledge (h2c), requests multiplexed as streams over pooled connections. */
    HTTP2,
    /**
     * Whatever the downstream spoke: HTTP/2 in, HTTP/2 out; HTTP/1.1 in, HTTP/1.1 out. Used between
     * sidecars, whose inbound listeners speak both.
     */
    DOWNSTREAM
}
