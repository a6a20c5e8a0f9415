package dev.weft.proxy.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One upstream endpoint.
 *
 * @param address where to connect: the instance's mesh (sidecar inbound) port when {@code mesh}, else its app port
 * @param health from EDS; only HEALTHY and DEGRADED endpoints take traffic
 * @param weight relative weight, at least 1
 * @param zone locality zone, empty when unknown
 * @param mesh whether a Weft sidecar fronts the endpoint (mTLS arrives with the security issue)
 * @param instanceId the registry's instance id, for /clusters and logs
 */
public record Endpoint(InetSocketAddress address, EndpointHealth health, int weight, String zone, boolean mesh, String instanceId) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(health, "health");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, was " + weight);
        }
        zone = zone == null ? "" : zone;
        instanceId = instanceId == null ? "" : instanceId;
    }

    public boolean isServing() {
        return health != EndpointHealth.UNHEALTHY;
    }
}
