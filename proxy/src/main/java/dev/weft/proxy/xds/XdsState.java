package dev.weft.proxy.xds;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import dev.weft.proxy.xds.ClusterTranslator.ClusterResource;
import dev.weft.proxy.xds.ListenerTranslator.ListenerResource;
import dev.weft.proxy.xds.wire.ProtoAny;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accepted xDS resources, parsed, and the rule that turns them into a ProxyConfig. A response is
 * validated whole before anything changes: one bad resource rejects the response and the
 * previous state stays. Not thread-safe; the client uses it from its one thread.
 */
final class XdsState {
    static final String OUTBOUND = "weft-outbound";
    static final String INBOUND = "weft-inbound";

    private final EnumMap<ResourceType, String> versions = new EnumMap<>(ResourceType.class);
    private final EnumSet<ResourceType> received = EnumSet.noneOf(ResourceType.class);
    private final EnumMap<ResourceType, Map<String, ProtoAny>> raw = new EnumMap<>(ResourceType.class);
    private Map<String, ClusterResource> clusters = Map.of();
    private Map<String, List<Endpoint>> endpoints = Map.of();
    private Map<String, ListenerResource> listeners = Map.of();
    private Map<String, RouteTable> routes = Map.of();

    XdsState() {
        for (ResourceType t : ResourceType.values()) {
            raw.put(t, Map.of());
        }
    }

    String version(ResourceType type) {
        return versions.getOrDefault(type, "");
    }

    /** The ClusterLoadAssignment names the accepted EDS clusters need. */
    Set<String> edsNames() {
        Set<String> names = new TreeSet<>();
        for (ClusterResource c : clusters.values()) {
            if (c.isEds()) {
                names.add(c.edsName());
            }
        }
        return names;
    }

    /** The RouteConfiguration names the accepted listeners reference. */
    Set<String> rdsNames() {
        Set<String> names = new TreeSet<>();
        for (ListenerResource l : listeners.values()) {
            if (l.rdsName() != null) {
                names.add(l.rdsName());
            }
        }
        return names;
    }

    /** Names the client subscribes to for a type; empty for the wildcard types. */
    Set<String> subscription(ResourceType type) {
        return switch (type) {
            case EDS -> edsNames();
            case RDS -> rdsNames();
            default -> Set.of();
        };
    }

    /**
     * Validates and accepts one state-of-the-world response. CDS and LDS replace the whole set;
     * EDS and RDS update the named resources (others the client did not ask for are ignored).
     */
    void apply(ResourceType type, String version, List<ProtoAny> resources) throws XdsResourceException {
        Set<String> wanted = subscription(type);
        Map<String, ProtoAny> accepted = new TreeMap<>();
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (int i = 0; i < resources.size(); i++) {
            ProtoAny any = resources.get(i);
            if (!any.typeUrl().equals(type.typeUrl)) {
                throw new XdsResourceException(kind(type), "resources[" + i + "]", "type_url",
                        "expected " + type.typeUrl + ", got " + any.typeUrl());
            }
            byte[] encoded = any.value();
            String name;
            Object value;
            switch (type) {
                case CDS -> {
                    ClusterResource c = ClusterTranslator.translate(encoded);
                    name = c.config().name();
                    value = c;
                }
                case EDS -> {
                    ClusterLoadAssignmentTranslator.Assignment a = ClusterLoadAssignmentTranslator.translate(encoded);
                    name = a.clusterName();
                    value = a.endpoints();
                }
                case LDS -> {
                    ListenerResource l = ListenerTranslator.translate(encoded);
                    name = l.name();
                    value = l;
                }
                default -> {
                    RouteTable rc = RouteConfigurationTranslator.translate(encoded);
                    name = rc.name();
                    value = rc;
                }
            }
            if (parsed.containsKey(name)) {
                throw new XdsResourceException(kind(type), name, "", "listed twice in one response");
            }
            if (!type.wildcard && !wanted.contains(name)) {
                continue;
            }
            parsed.put(name, value);
            accepted.put(name, any);
        }
        commit(type, version, accepted, parsed);
    }

    @SuppressWarnings("unchecked")
    private void commit(ResourceType type, String version, Map<String, ProtoAny> accepted, Map<String, Object> parsed) {
        versions.put(type, version);
        received.add(type);
        if (type.wildcard) {
            raw.put(type, Map.copyOf(accepted));
        } else {
            Map<String, ProtoAny> merged = new TreeMap<>(raw.get(type));
            merged.putAll(accepted);
            raw.put(type, merged);
        }
        switch (type) {
            case CDS -> clusters = Map.copyOf((Map<String, ClusterResource>) (Map<String, ?>) parsed);
            case LDS -> listeners = Map.copyOf((Map<String, ListenerResource>) (Map<String, ?>) parsed);
            case EDS -> {
                Map<String, List<Endpoint>> m = new TreeMap<>(endpoints);
                m.putAll((Map<String, List<Endpoint>>) (Map<String, ?>) parsed);
                endpoints = m;
            }
            default -> {
                Map<String, RouteTable> m = new TreeMap<>(routes);
                m.putAll((Map<String, RouteTable>) (Map<String, ?>) parsed);
                routes = m;
            }
        }
        prune();
    }

    /** Drops EDS and RDS resources that no accepted cluster or listener references any more. */
    private void prune() {
        Set<String> eds = edsNames();
        Set<String> rds = rdsNames();
        endpoints = retain(endpoints, eds);
        routes = retain(routes, rds);
        raw.put(ResourceType.EDS, retain(raw.get(ResourceType.EDS), eds));
        raw.put(ResourceType.RDS, retain(raw.get(ResourceType.RDS), rds));
    }

    private static <V> Map<String, V> retain(Map<String, V> m, Set<String> keep) {
        Map<String, V> out = new TreeMap<>(m);
        out.keySet().retainAll(keep);
        return out;
    }

    /**
     * The configuration, once it is complete enough to serve: CDS and LDS have each been
     * received, every route configuration a listener references has arrived, and every EDS
     * cluster that a route points at has its ClusterLoadAssignment (possibly with no endpoints).
     * EDS clusters no route uses may still be waiting; they appear with no endpoints.
     */
    Optional<ProxyConfig> assemble() {
        if (!received.contains(ResourceType.CDS) || !received.contains(ResourceType.LDS)) {
            return Optional.empty();
        }
        Map<String, ListenerSpec> specs = new TreeMap<>();
        for (ListenerResource l : listeners.values()) {
            RouteTable table = l.inlineRoutes() != null ? l.inlineRoutes() : routes.get(l.rdsName());
            if (table == null) {
                return Optional.empty();
            }
            for (VirtualHost vh : table.virtualHosts()) {
                for (Route r : vh.routes()) {
                    ClusterResource c = clusters.get(r.cluster());
                    if (c != null && c.isEds() && !endpoints.containsKey(c.edsName())) {
                        return Optional.empty();
                    }
                }
            }
            specs.put(l.name(), new ListenerSpec(l.name(), l.address(), table));
        }
        Map<String, ClusterConfig> built = new TreeMap<>();
        for (ClusterResource c : clusters.values()) {
            ClusterConfig cc = c.config();
            built.put(cc.name(), c.isEds() ? cc.withEndpoints(endpoints.getOrDefault(c.edsName(), List.of())) : cc);
        }
        return Optional.of(new ProxyConfig(versionString(), built, specs.get(OUTBOUND), specs.get(INBOUND)));
    }

    private String versionString() {
        List<String> parts = new ArrayList<>();
        for (ResourceType t : ResourceType.values()) {
            parts.add(t.name().toLowerCase(java.util.Locale.ROOT) + "=" + version(t));
        }
        return String.join(" ", parts);
    }

    AcceptedResources accepted() {
        EnumMap<ResourceType, List<ProtoAny>> r = new EnumMap<>(ResourceType.class);
        raw.forEach((t, m) -> r.put(t, List.copyOf(m.values())));
        return new AcceptedResources(versions, r);
    }

    static String kind(ResourceType type) {
        return switch (type) {
            case CDS -> ClusterTranslator.KIND;
            case EDS -> ClusterLoadAssignmentTranslator.KIND;
            case LDS -> ListenerTranslator.KIND;
            case RDS -> RouteConfigurationTranslator.KIND;
        };
    }
}
