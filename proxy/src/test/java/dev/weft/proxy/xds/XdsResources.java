package dev.weft.proxy.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
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

/** The resources docs/xds.md says the control plane sends a sidecar, built by hand (shared with the it module through the test jar). */
public final class XdsResources {
    public static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    private XdsResources() {
    }

    public static Address address(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }

    public static HttpFilter router() {
        return HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
    }

    public static Listener listener(String name, int port, HttpConnectionManager hcm) {
        return Listener.newBuilder()
                .setName(name)
                .setAddress(address("127.0.0.1", port))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm))))
                .build();
    }

    public static HttpConnectionManager.Builder rdsHcm(String routeName) {
        return HttpConnectionManager.newBuilder()
                .setStatPrefix("outbound")
                .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(ADS))
                .addHttpFilters(router());
    }

    public static Listener outbound(int port) {
        return listener("weft-outbound", port, rdsHcm("weft-outbound").build());
    }

    public static Listener inbound(int port, int appPort) {
        RouteConfiguration inline = RouteConfiguration.newBuilder()
                .setName("weft-inbound")
                .addVirtualHosts(VirtualHost.newBuilder().setName("inbound").addDomains("*")
                        .addRoutes(route("/", "inbound|" + appPort, com.google.protobuf.Duration.getDefaultInstance())))
                .build();
        return listener("weft-inbound", port, HttpConnectionManager.newBuilder()
                .setStatPrefix("inbound").setRouteConfig(inline).addHttpFilters(router()).build());
    }

    public static Route route(String prefix, String cluster, com.google.protobuf.Duration timeout) {
        RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster);
        if (timeout != null) {
            action.setTimeout(timeout);
        }
        return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefix)).setRoute(action).build();
    }

    public static RouteConfiguration outboundRoutes(String... services) {
        RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName("weft-outbound");
        for (String s : services) {
            rc.addVirtualHosts(VirtualHost.newBuilder().setName(s).addDomains(s).addDomains(s + ".service.weft")
                    .addRoutes(route("/", s, com.google.protobuf.Duration.newBuilder().setSeconds(15).build())));
        }
        return rc.build();
    }

    public static Cluster.Builder edsCluster(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
                        .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60))
                        .setMaxRequestsPerConnection(UInt32Value.of(0)));
    }

    public static Cluster staticCluster(int appPort) {
        return Cluster.newBuilder()
                .setName("inbound|" + appPort)
                .setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName("inbound|" + appPort)
                        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(
                                LbEndpoint.newBuilder().setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                        .setAddress(address("127.0.0.1", appPort))))))
                .build();
    }

    public static LbEndpoint endpoint(String ip, int port, HealthStatus health, int weight, boolean mesh, String instanceId) {
        Struct weft = Struct.newBuilder()
                .putFields("mesh", Value.newBuilder().setBoolValue(mesh).build())
                .putFields("instance_id", Value.newBuilder().setStringValue(instanceId).build())
                .putFields("app_port", Value.newBuilder().setNumberValue(8080).build())
                .build();
        return LbEndpoint.newBuilder()
                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder().setAddress(address(ip, port)))
                .setHealthStatus(health)
                .setLoadBalancingWeight(UInt32Value.of(weight))
                .setMetadata(Metadata.newBuilder().putFilterMetadata("weft", weft))
                .build();
    }

    public static ClusterLoadAssignment cla(String cluster, String zone, LbEndpoint... endpoints) {
        LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setZone(zone));
        int sum = 0;
        for (LbEndpoint e : endpoints) {
            l.addLbEndpoints(e);
            sum += e.getLoadBalancingWeight().getValue();
        }
        if (sum > 0) {
            l.setLoadBalancingWeight(UInt32Value.of(sum));
        }
        ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
        if (endpoints.length > 0) {
            b.addEndpoints(l);
        }
        return b.build();
    }

    /** A message as the sidecar receives it in a DiscoveryResponse: its type URL and encoded bytes. */
    public static dev.weft.proxy.xds.wire.ProtoAny pack(com.google.protobuf.Message m) {
        return new dev.weft.proxy.xds.wire.ProtoAny("type.googleapis.com/" + m.getDescriptorForType().getFullName(), m.toByteArray());
    }
}
