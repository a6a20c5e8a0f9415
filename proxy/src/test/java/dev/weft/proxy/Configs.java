package dev.weft.proxy;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.UpstreamProtocol;
import dev.weft.proxy.config.VirtualHost;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds real ProxyConfig values the way the xDS client does (docs/xds.md shapes). */
final class Configs {
    private Configs() {
    }

    static Endpoint endpoint(int port, EndpointHealth health, int weight) {
        return new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), health, weight, "z1", false, "i-" + port);
    }

    /** A healthy endpoint fronted by a sidecar: its address is that sidecar's inbound port. */
    static Endpoint mesh(int port) {
        return new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), EndpointHealth.HEALTHY, 1, "z1", true, "i-" + port);
    }

    static Endpoint healthy(int port) {
        return endpoint(port, EndpointHealth.HEALTHY, 1);
    }

    static ClusterConfig cluster(String name, LbPolicy policy, Endpoint... endpoints) {
        return new ClusterConfig(name, policy, Duration.ofMillis(500), Duration.ofSeconds(60), 0, List.of(endpoints));
    }

    static ClusterConfig withLb(ClusterConfig c, LbConfig lb) {
        return new ClusterConfig(c.name(), c.lbPolicy(), c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.endpoints(), lb);
    }

    /** One sidecar's config: an outbound vhost per service (route timeout given) and the inbound app cluster. */
    static final class Builder {
        private final Sidecar sidecar;
        private final Map<String, ClusterConfig> clusters = new HashMap<>();
        private final List<VirtualHost> outbound = new ArrayList<>();
        private Integer appPort;
        private Duration timeout = Duration.ofSeconds(15);

        Builder(Sidecar sidecar) {
            this.sidecar = sidecar;
        }

        Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        Builder service(ClusterConfig c) {
            return service(c, List.of());
        }

        Builder service(ClusterConfig c, List<HashPolicy> hashPolicies) {
            clusters.put(c.name(), c);
            outbound.add(new VirtualHost(c.name(), List.of(c.name(), c.name() + ".service.weft"),
                    List.of(new Route("/", c.name(), timeout, hashPolicies))));
            return this;
        }

        Builder app(int port) {
            return app(port, UpstreamProtocol.HTTP1);
        }

        /** The local app, spoken to in {@code protocol} (HTTP2 for an h2c or gRPC app). */
        Builder app(int port, UpstreamProtocol protocol) {
            appPort = port;
            clusters.put("inbound|" + port, cluster("inbound|" + port, LbPolicy.ROUND_ROBIN, healthy(port)).withProtocol(protocol));
            return this;
        }

        ProxyConfig build(String version) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            ListenerSpec out = new ListenerSpec("weft-outbound", new InetSocketAddress(lo, sidecar.outboundPort()),
                    new RouteTable("weft-outbound", outbound));
            ListenerSpec in = appPort == null ? null : new ListenerSpec("weft-inbound", new InetSocketAddress(lo, sidecar.inboundPort()),
                    new RouteTable("weft-inbound", List.of(new VirtualHost("inbound", List.of("*"),
                            List.of(new Route("/", "inbound|" + appPort, Duration.ZERO))))));
            return new ProxyConfig(version, clusters, out, in);
        }
    }

    static SidecarOptions testOptions() {
        return SidecarOptions.defaults().withPorts(0, 0, 0).withEventLoopThreads(2);
    }
}
