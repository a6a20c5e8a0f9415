package dev.weft.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An upstream service with its endpoints.
 *
 * @param connectTimeout TCP connect deadline for new upstream connections
 * @param idleTimeout an idle pooled connection is closed after this long
 * @param maxRequestsPerConnection a pooled connection is retired after this many requests; 0 = unlimited
 * @param endpoints every known endpoint, healthy or not; balancers use healthy ones
 * @param lbConfig the balancer's parameters (ring sizes, slow start, panic and zone thresholds)
 * @param protocol the HTTP version spoken to the endpoints
 */
public record ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        Duration connectTimeout,
        Duration idleTimeout,
        int maxRequestsPerConnection,
        List<Endpoint> endpoints,
        LbConfig lbConfig,
        UpstreamProtocol protocol) {
    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lbPolicy, "lbPolicy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(lbConfig, "lbConfig");
        Objects.requireNonNull(protocol, "protocol");
    }

    /** An HTTP/1.1 cluster. */
    public ClusterConfig(String name, LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout,
                         int maxRequestsPerConnection, List<Endpoint> endpoints, LbConfig lbConfig) {
        this(name, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection, endpoints, lbConfig, UpstreamProtocol.HTTP1);
    }

    /** An HTTP/1.1 cluster with {@link LbConfig#DEFAULTS}. */
    public ClusterConfig(String name, LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout,
                         int maxRequestsPerConnection, List<Endpoint> endpoints) {
        this(name, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection, endpoints, LbConfig.DEFAULTS);
    }

    public ClusterConfig withEndpoints(List<Endpoint> newEndpoints) {
        return new ClusterConfig(name, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection, newEndpoints, lbConfig, protocol);
    }

    public ClusterConfig withProtocol(UpstreamProtocol newProtocol) {
        return new ClusterConfig(name, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection, endpoints, lbConfig, newProtocol);
    }
}
