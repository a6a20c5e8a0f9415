package dev.weft.proxy.config;

import java.util.Map;
import java.util.Objects;

/**
 * Everything the sidecar enforces, as one immutable value. The xDS client parses Envoy resources
 * into it once, at the edge; listeners, routes and balancers work only on these records and
 * never touch protobuf. A new value replaces the old one whole.
 *
 * @param version the xDS versions this value was built from, for /config_dump and logs
 * @param clusters every cluster by name, endpoints included (EDS merged in)
 * @param outbound the app-facing listener (HTTP proxy), absent until LDS names it
 * @param inbound the mesh-facing listener in front of the local app, absent until LDS names it
 */
public record ProxyConfig(String version, Map<String, ClusterConfig> clusters, ListenerSpec outbound, ListenerSpec inbound) {
    public static final ProxyConfig EMPTY = new ProxyConfig("", Map.of(), null, null);

    public ProxyConfig {
        Objects.requireNonNull(version, "version");
        clusters = Map.copyOf(clusters);
    }

    public ClusterConfig cluster(String name) {
        return clusters.get(name);
    }
}
