package dev.weft.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.proxy.cluster.HostPort;
import dev.weft.proxy.cluster.LoopClusters.EndpointLoad;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.VirtualHost;
import dev.weft.proxy.lb.LoadBalancers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The admin endpoints' JSON: the config in effect and the clusters' live state. */
final class ConfigJson {
    private ConfigJson() {
    }

    static ObjectNode configDump(ObjectMapper json, ProxyConfig cfg) {
        ObjectNode root = json.createObjectNode();
        root.put("version", cfg.version());
        root.set("outbound", listener(json, cfg.outbound()));
        root.set("inbound", listener(json, cfg.inbound()));
        ArrayNode clusters = root.putArray("clusters");
        for (ClusterConfig c : sorted(cfg)) {
            ObjectNode n = clusters.addObject();
            n.put("name", c.name());
            n.put("lb_policy", c.lbPolicy().name());
            n.put("connect_timeout_ms", c.connectTimeout().toMillis());
            n.put("idle_timeout_ms", c.idleTimeout().toMillis());
            n.put("max_requests_per_connection", c.maxRequestsPerConnection());
            n.put("protocol", c.protocol().name());
            LbConfig lb = c.lbConfig();
            n.putObject("lb_config")
                    .put("ring_min_size", lb.ringMinSize())
                    .put("ring_max_size", lb.ringMaxSize())
                    .put("maglev_table_size", lb.maglevTableSize())
                    .put("slow_start_window_ms", lb.slowStartWindow().toMillis())
                    .put("healthy_panic_threshold", lb.healthyPanicThreshold())
                    .put("ewma_decay_ms", lb.ewmaDecay().toMillis())
                    .put("zone_healthy_threshold", lb.zoneHealthyThreshold());
            ArrayNode eps = n.putArray("endpoints");
            for (Endpoint e : c.endpoints()) {
                endpoint(eps.addObject(), e);
            }
        }
        return root;
    }

    static ObjectNode clusters(ObjectMapper json, ProxyConfig cfg, List<EndpointLoad> loads) {
        Map<String, Map<InetSocketAddress, int[]>> sum = new HashMap<>();
        for (EndpointLoad l : loads) {
            int[] s = sum.computeIfAbsent(l.cluster(), k -> new HashMap<>()).computeIfAbsent(l.address(), k -> new int[3]);
            s[0] += l.activeRequests();
            s[1] += l.openConnections();
            s[2] += l.idleConnections();
        }
        ObjectNode root = json.createObjectNode();
        root.put("version", cfg.version());
        ArrayNode out = root.putArray("clusters");
        for (ClusterConfig c : sorted(cfg)) {
            ObjectNode n = out.addObject();
            n.put("name", c.name());
            n.put("lb_policy", c.lbPolicy().name());
            n.put("balancer", LoadBalancers.algorithmName(c.lbPolicy()));
            ArrayNode eps = n.putArray("endpoints");
            Map<InetSocketAddress, int[]> byAddress = sum.getOrDefault(c.name(), Map.of());
            for (Endpoint e : c.endpoints()) {
                ObjectNode en = eps.addObject();
                endpoint(en, e);
                int[] s = byAddress.getOrDefault(e.address(), new int[3]);
                en.put("active_requests", s[0]);
                en.put("connections", s[1]);
                en.put("idle_connections", s[2]);
            }
        }
        return root;
    }

    private static List<ClusterConfig> sorted(ProxyConfig cfg) {
        List<ClusterConfig> list = new ArrayList<>(cfg.clusters().values());
        list.sort(Comparator.comparing(ClusterConfig::name));
        return list;
    }

    private static void endpoint(ObjectNode n, Endpoint e) {
        n.put("address", HostPort.of(e.address()));
        n.put("health", e.health().name());
        n.put("weight", e.weight());
        n.put("zone", e.zone());
        n.put("mesh", e.mesh());
        n.put("instance_id", e.instanceId());
    }

    private static ObjectNode listener(ObjectMapper json, ListenerSpec l) {
        if (l == null) {
            return null;
        }
        ObjectNode n = json.createObjectNode();
        n.put("name", l.name());
        n.put("address", HostPort.of(l.address()));
        n.put("route_table", l.routes().name());
        ArrayNode vhs = n.putArray("virtual_hosts");
        for (VirtualHost vh : l.routes().virtualHosts()) {
            ObjectNode v = vhs.addObject();
            v.put("name", vh.name());
            ArrayNode domains = v.putArray("domains");
            vh.domains().forEach(domains::add);
            ArrayNode routes = v.putArray("routes");
            for (Route r : vh.routes()) {
                ObjectNode rn = routes.addObject().put("prefix", r.pathPrefix()).put("cluster", r.cluster()).put("timeout_ms", r.timeout().toMillis());
                if (!r.hashPolicies().isEmpty()) {
                    ArrayNode hp = rn.putArray("hash_policies");
                    for (HashPolicy h : r.hashPolicies()) {
                        hp.addObject().put("kind", h.kind().name()).put("name", h.name()).put("terminal", h.terminal());
                    }
                }
            }
        }
        return n;
    }
}
