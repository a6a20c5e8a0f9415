package dev.weft.demo;

import java.util.List;

/**
 * The demo application: a small shop. Each entry is one instance; {@code healthy=false} starts
 * failing its health check so that the demo shows an unhealthy instance leaving DNS.
 */
public final class DemoTopology {
    public record DemoInstance(String service, String id, String zone, List<String> tags, boolean healthy) {}

    public static final List<DemoInstance> INSTANCES = List.of(
            new DemoInstance("frontend", "frontend-1", "zone-a", List.of("web", "v1"), true),
            new DemoInstance("catalog", "catalog-1", "zone-a", List.of("v1"), true),
            new DemoInstance("catalog", "catalog-2", "zone-b", List.of("v2"), true),
            new DemoInstance("inventory", "inventory-1", "zone-a", List.of("v1"), true),
            new DemoInstance("inventory", "inventory-2", "zone-b", List.of("v1"), false),
            new DemoInstance("ratings", "ratings-1", "zone-b", List.of("v1"), true));

    private DemoTopology() {}
}
