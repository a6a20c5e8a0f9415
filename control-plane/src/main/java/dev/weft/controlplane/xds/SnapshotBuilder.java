package dev.weft.controlplane.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the registry's contents into Envoy resources, exactly as docs/xds.md describes them. Pure:
 * the same catalog and node profile always give equal messages, which is what lets the publisher
 * bump a type's version only when its content changed.
 */
final class SnapshotBuilder {
    static final String OUTBOUND = "weft-outbound";
    static final String INBOUND = "weft-inbound";
    static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";
    static final String ROUTER_FILTER = "envoy.filters.http.router";
    static final String METADATA_NAMESPACE = "weft";
    static final String LOCAL_APP_ADDRESS = "127.0.0.1";
    /** Cluster.typed_extension_protocol_options key of the upstream HTTP options (Envoy's extension name). */
    static final String UPSTREAM_HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    private static final Duration CONNECT_TIMEOUT = seconds(1);
    private static final Duration IDLE_TIMEOUT = seconds(60);
    private static final Duration ROUTE_TIMEOUT = seconds(15);
    private static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    private static final HttpFilter ROUTER = HttpFilter.newBuilder()
            .setName(ROUTER_FILTER)
            .setTypedConfig(Any.pack(Router.getDefaultInstance()))
            .build();

    private final String domain;

    /** @param domain the mesh DNS domain: virtual hosts answer to {@code <service>.service.<domain>} */
    SnapshotBuilder(String domain) {
        this.domain = domain;
    }

    /** What every node shares, built once per catalog change. Services come ordered by name. */
    record Mesh(List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, RouteConfiguration outboundRoutes,
                List<Listener> apiListeners) {}

    Mesh mesh(Collection<ServiceEntry> services) {
        List<ServiceEntry> sorted = new ArrayList<>(services);
        sorted.sort(java.util.Comparator.comparing(ServiceEntry::name));
        List<Cluster> clusters = new ArrayList<>(sorted.size());
        List<ClusterLoadAssignment> endpoints = new ArrayList<>(sorted.size());
        List<Listener> apiListeners = new ArrayList<>(sorted.size());
        RouteConfiguration.Builder routes = RouteConfiguration.newBuilder().setName(OUTBOUND);
        for (ServiceEntry s : sorted) {
            clusters.add(serviceCluster(s.name()));
            endpoints.add(loadAssignment(s));
            routes.addVirtualHosts(virtualHost(s.name(), List.of(s.name(), s.name() + ".service." + domain), ROUTE_TIMEOUT));
            apiListeners.add(apiListener(s.name()));
        }
        return new Mesh(clusters, endpoints, routes.build(), apiListeners);
    }

    /** The resources one kind of node gets (docs/xds.md, "Resources for a sidecar" and "for a proxyless gRPC client"). */
    XdsResources forProfile(Mesh mesh, NodeInfo.Profile node) {
        if (node.kind() == NodeInfo.Kind.PROXYLESS) {
            return new XdsResources(mesh.clusters(), mesh.endpoints(), mesh.apiListeners(), List.of());
        }
        List<Cluster> clusters = new ArrayList<>(mesh.clusters());
        List<Listener> listeners = new ArrayList<>(2);
        listeners.add(outboundListener(node));
        if (node.appPort() != 0) {
            clusters.add(inboundCluster(node.appPort(), node.appProtocol()));
            listeners.add(inboundListener(node));
        }
        return new XdsResources(clusters, mesh.endpoints(), listeners, List.of(mesh.outboundRoutes()));
    }

    /** Both steps at once; for tests and one-off builds. */
    XdsResources build(Collection<ServiceEntry> services, NodeInfo.Profile node) {
        return forProfile(mesh(services), node);
    }

    static String inboundClusterName(int appPort) {
        return "inbound|" + appPort;
    }

    // ---- CDS ----------------------------------------------------------------------------------

    /**
     * Weft sidecars balance with peak EWMA by default: with one slow endpoint of three it kept p99
     * under 1 ms where round robin and least request stayed at the slow endpoint's 20 ms
     * (bench/RESULTS.md, "Balancers"). Envoy and gRPC clients have no peak EWMA; they ignore the
     * metadata and use the round robin that lb_policy names.
     */
    private static final Metadata PEAK_EWMA = Metadata.newBuilder()
            .putFilterMetadata("weft", Struct.newBuilder().putFields("lb", Value.newBuilder().setStringValue("peak_ewma").build()).build())
            .build();

    /**
     * A service cluster's endpoints are other sidecars' inbound listeners, which speak both HTTP/1.1
     * and h2c: the request goes on in the version it came in. The common options live in the same
     * message, as Envoy refuses a cluster that also sets the deprecated common_http_protocol_options.
     */
    private static final Any SERVICE_HTTP_OPTIONS = Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
            .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
                    .setIdleTimeout(IDLE_TIMEOUT)
                    .setMaxRequestsPerConnection(UInt32Value.of(0)))
            .setUseDownstreamProtocolConfig(UseDownstreamHttpConfig.newBuilder()
                    .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
            .build());

    private static Cluster serviceCluster(String service) {
        return Cluster.newBuilder()
                .setName(service)
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                .setMetadata(PEAK_EWMA)
                .setConnectTimeout(CONNECT_TIMEOUT)
                .putTypedExtensionProtocolOptions(UPSTREAM_HTTP_OPTIONS, SERVICE_HTTP_OPTIONS)
                .build();
    }

    /** The local app speaks what its sidecar's node metadata says (weft proxy --app-protocol). */
    private static Any appHttpOptions(NodeInfo.AppProtocol protocol) {
        ExplicitHttpConfig.Builder explicit = ExplicitHttpConfig.newBuilder();
        switch (protocol) {
            case HTTP1 -> explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
            case HTTP2 -> explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
        }
        return Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(explicit)
                .build());
    }

    private static Cluster inboundCluster(int appPort, NodeInfo.AppProtocol appProtocol) {
        String name = inboundClusterName(appPort);
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.STATIC)
                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                .setConnectTimeout(CONNECT_TIMEOUT)
                .putTypedExtensionProtocolOptions(UPSTREAM_HTTP_OPTIONS, appHttpOptions(appProtocol))
                .setLoadAssignment(ClusterLoadAssignment.newBuilder()
                        .setClusterName(name)
                        .addEndpoints(LocalityLbEndpoints.newBuilder()
                                .addLbEndpoints(LbEndpoint.newBuilder()
                                        .setEndpoint(Endpoint.newBuilder().setAddress(address(LOCAL_APP_ADDRESS, appPort))))))
                .build();
    }

    // ---- EDS ----------------------------------------------------------------------------------

    private static ClusterLoadAssignment loadAssignment(ServiceEntry service) {
        // Localities ordered by zone name, endpoints by instance id: stable order, stable equality.
        Map<String, List<InstanceEntry>> byZone = new TreeMap<>();
        for (InstanceEntry e : service.instances()) {
            byZone.computeIfAbsent(e.instance().zone(), z -> new ArrayList<>()).add(e);
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(service.name());
        byZone.forEach((zone, entries) -> {
            LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
                    .setLocality(Locality.newBuilder().setZone(zone));
            int weight = 0;
            for (InstanceEntry e : entries) {
                locality.addLbEndpoints(lbEndpoint(e));
                weight += e.instance().weight();
            }
            cla.addEndpoints(locality.setLoadBalancingWeight(UInt32Value.of(weight)));
        });
        return cla.build();
    }

    private static LbEndpoint lbEndpoint(InstanceEntry entry) {
        Instance i = entry.instance();
        Struct weft = Struct.newBuilder()
                .putFields("mesh", Value.newBuilder().setBoolValue(i.hasMeshPort()).build())
                .putFields("instance_id", Value.newBuilder().setStringValue(i.id()).build())
                .putFields("app_port", Value.newBuilder().setNumberValue(i.port()).build())
                .build();
        return LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(address(i.address(), i.hasMeshPort() ? i.meshPort() : i.port())))
                .setHealthStatus(health(entry.status()))
                .setLoadBalancingWeight(UInt32Value.of(i.weight()))
                .setMetadata(Metadata.newBuilder().putFilterMetadata(METADATA_NAMESPACE, weft))
                .build();
    }

    static io.envoyproxy.envoy.config.core.v3.HealthStatus health(HealthStatus status) {
        return switch (status) {
            case PASSING -> io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY;
            case WARNING -> io.envoyproxy.envoy.config.core.v3.HealthStatus.DEGRADED;
            case CRITICAL -> io.envoyproxy.envoy.config.core.v3.HealthStatus.UNHEALTHY;
        };
    }

    // ---- LDS and RDS --------------------------------------------------------------------------

    private static Listener outboundListener(NodeInfo.Profile node) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix("outbound")
                .setRds(Rds.newBuilder().setRouteConfigName(OUTBOUND).setConfigSource(ADS))
                .addHttpFilters(ROUTER)
                .build();
        return socketListener(OUTBOUND, node.bind(), node.outboundPort(), hcm);
    }

    private static Listener inboundListener(NodeInfo.Profile node) {
        RouteConfiguration routes = RouteConfiguration.newBuilder()
                .setName(INBOUND)
                .addVirtualHosts(VirtualHost.newBuilder()
                        .setName("inbound")
                        .addDomains("*")
                        .addRoutes(route(inboundClusterName(node.appPort()), Duration.getDefaultInstance())))
                .build();
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix("inbound")
                .setRouteConfig(routes)
                .addHttpFilters(ROUTER)
                .build();
        return socketListener(INBOUND, node.bind(), node.inboundPort(), hcm);
    }

    private static Listener socketListener(String name, String bind, int port, HttpConnectionManager hcm) {
        return Listener.newBuilder()
                .setName(name)
                .setAddress(address(bind, port))
                .addFilterChains(FilterChain.newBuilder()
                        .addFilters(Filter.newBuilder().setName(HCM_FILTER).setTypedConfig(Any.pack(hcm))))
                .build();
    }

    /** gRPC's client-side listener: an HCM with inline routes, router filter last (gRFC A27). */
    private static Listener apiListener(String service) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix(service)
                .setRouteConfig(RouteConfiguration.newBuilder()
                        .setName(service)
                        .addVirtualHosts(virtualHost(service, List.of(service), null)))
                .addHttpFilters(ROUTER)
                .build();
        return Listener.newBuilder()
                .setName(service)
                .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
                .build();
    }

    private static VirtualHost virtualHost(String service, List<String> domains, Duration timeout) {
        return VirtualHost.newBuilder()
                .setName(service)
                .addAllDomains(domains)
                .addRoutes(route(service, timeout))
                .build();
    }

    private static Route route(String cluster, Duration timeout) {
        RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster);
        if (timeout != null) {
            action.setTimeout(timeout);
        }
        return Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(action)
                .build();
    }

    private static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
                .build();
    }

    private static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }
}
