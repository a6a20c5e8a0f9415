package dev.weft.controlplane.registry;

import java.util.List;

/**
 * An immutable view of one service. A new value is published on every change, so readers (DNS,
 * HTTP, xDS) never lock and never see a half-applied change.
 *
 * @param instances every registered instance, ordered by instance id
 * @param healthy the subset that is not critical, in the same order
 * @param modifyIndex catalog index of the last change to this service
 */
public record ServiceEntry(String name, List<InstanceEntry> instances, List<InstanceEntry> healthy, long modifyIndex) {
    public ServiceEntry {
        instances = List.copyOf(instances);
        healthy = List.copyOf(healthy);
    }

    public static ServiceEntry of(String name, List<InstanceEntry> instances, long modifyIndex) {
        return new ServiceEntry(name, instances, instances.stream().filter(InstanceEntry::isHealthy).toList(), modifyIndex);
    }
}
