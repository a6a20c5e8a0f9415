package dev.weft.demo;

import java.util.List;

/**
 * The demo application: a small shop. frontend calls catalog and ratings; catalog calls
 * inventory. Each entry is one instance; {@code healthy=false} fails its health check so that the
 * demo shows an unhealthy instance leaving DNS and the load balancers.
 */
public final class DemoTopology {
    public record DemoInstance(String service, String id, String zone, List<String> tags, boolean healthy, List<String> calls) {}

    public static final List<DemoInstance> INSTANCES = List.of(
            new DemoInstance("frontend", "frontend-1", "zone-a", List.of("web", "v1"), true, List.of("catalog", "ratings")),
            new DemoInstance("catalog", "catalog-1", "zone-a", List.of("v1"), true, List.of("inventory")),
            new DemoInstance("catalog", "catalog-2", "zone-b", List.of("v2"), true, List.of("inventory")),
            new DemoInstance("inventory", "inventory-1", "zone-a", List.of("v1"), true, List.of()),
            new DemoInstance("inventory", "inventory-2", "zone-b", List.of("v1"), false, List.of()),
            new DemoInstance("ratings", "ratings-1", "zone-b", List.of("v1"), true, List.of()));

    private DemoTopology() {}
}
