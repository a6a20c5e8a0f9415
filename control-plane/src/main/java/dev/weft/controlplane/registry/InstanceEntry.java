package dev.weft.controlplane.registry;

import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import java.util.List;

/**
 * A registered instance with its checks.
 *
 * @param status the worst status among its checks; passing when it has none
 * @param createIndex catalog index at which it was first registered
 * @param modifyIndex catalog index of its last change (registration or status change)
 */
public record InstanceEntry(Instance instance, List<CheckState> checks, HealthStatus status, long createIndex, long modifyIndex) {
    public InstanceEntry {
        checks = List.copyOf(checks);
    }

    /** Serves traffic: DNS and load balancers use passing and warning instances, never critical ones. */
    public boolean isHealthy() {
        return status != HealthStatus.CRITICAL;
    }
}
