package dev.weft.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.ProtocolConfigCase;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotBuilderTest {
    private final SnapshotBuilder builder = new SnapshotBuilder("weft");

    static InstanceEntry entry(String service, String id, String address, int port, int meshPort, String zone, int weight,
                               HealthStatus status) {
        return new InstanceEntry(new Instance(service, id, address, port, meshPort, List.of(), Map.of(), zone, weight),
                List.of(), status, 1, 1);
    }

    private static List<ServiceEntry> catalog() {
        return List.of(
                ServiceEntry.of("ratings", List.of(entry("ratings", "r1", "10.0.0.9", 9090, 0, "", 1, HealthStatus.PASSING)), 3),
                ServiceEntry.of("catalog", List.of(
                        entry("catalog", "c1", "10.0.0.1", 8080, 15106, "zone-a", 3, HealthStatus.PASSING),
                        entry("catalog", "c2", "10.0.0.2", 8080, 0, "zone-a", 2, HealthStatus.WARNING),
                        entry("catalog", "c3", "10.0.0.3", 8081, 0, "zone-b", 5, HealthStatus.CRITICAL)), 4));
    }

    private static NodeInfo sidecar(Map<String, Value> md) {
        return NodeInfo.parse(Node.newBuilder().setId("sidecar~10.0.0.1~c1~default")
                .setMetadata(Struct.newBuilder().putAllFields(md)).build());
    }

    private static final Map<String, Value> FULL_METADATA = Map.of(
            NodeInfo.KEY_SERVICE, AdsClient.string("catalog"),
            NodeInfo.KEY_BIND, AdsClient.string("10.0.0.1"),
            NodeInfo.KEY_OUTBOUND_PORT, AdsClient.number(16001),
            NodeInfo.KEY_INBOUND_PORT, AdsClient.number(16006),
            NodeInfo.KEY_APP_PORT, AdsClient.number(8080));

    static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sidecarGetsOneEdsClusterPerServicePlusItsLocalAppCluster() {
        XdsResources r = builder.build(catalog(), sidecar(FULL_METADATA).profile());

        assertThat(r.clusters()).extracting(Cluster::getName).containsExactly("catalog", "ratings", "inbound|8080");
        Cluster catalog = r.clusters().get(0);
        assertThat(catalog.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
        assertThat(catalog.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
        assertThat(catalog.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
        assertThat(catalog.getMetadata().getFilterMetadataOrThrow("weft").getFieldsOrThrow("lb").getStringValue()).isEqualTo("peak_ewma");
        assertThat(catalog.getConnectTimeout().getSeconds()).isEqualTo(1);
        assertThat(catalog.hasCommonHttpProtocolOptions()).as("Envoy refuses it next to the typed extension").isFalse();
        HttpProtocolOptions http = httpOptions(catalog);
        assertThat(http.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds()).isEqualTo(60);
        assertThat(http.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue()).isZero();

        Cluster inbound = r.clusters().get(2);
        assertThat(inbound.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
        var ep = inbound.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
        assertThat(ep.getAddress()).isEqualTo("127.0.0.1");
        assertThat(ep.getPortValue()).isEqualTo(8080);
    }

    @Test
    void endpointsAreGroupedByZoneWithWeightsHealthAndWeftMetadata() {
        XdsResources r = builder.build(catalog(), sidecar(FULL_METADATA).profile());

        assertThat(r.endpoints()).extracting(ClusterLoadAssignment::getClusterName).containsExactly("catalog", "ratings");
        ClusterLoadAssignment cla = r.endpoints().get(0);
        assertThat(cla.getEndpointsList()).extracting(l -> l.getLocality().getZone()).containsExactly("zone-a", "zone-b");
        assertThat(cla.getEndpointsList()).extracting(l -> l.getLoadBalancingWeight().getValue()).containsExactly(5, 5);

        List<LbEndpoint> a = cla.getEndpoints(0).getLbEndpointsList();
        LbEndpoint c1 = a.get(0);
        assertThat(c1.getEndpoint().getAddress().getSocketAddress().getAddress()).isEqualTo("10.0.0.1");
        assertThat(c1.getEndpoint().getAddress().getSocketAddress().getPortValue()).as("mesh endpoint: the mesh port").isEqualTo(15106);
        assertThat(c1.getHealthStatus()).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY);
        assertThat(c1.getLoadBalancingWeight().getValue()).isEqualTo(3);
        Struct weft = c1.getMetadata().getFilterMetadataOrThrow("weft");
        assertThat(weft.getFieldsOrThrow("mesh").getBoolValue()).isTrue();
        assertThat(weft.getFieldsOrThrow("instance_id").getStringValue()).isEqualTo("c1");
        assertThat(weft.getFieldsOrThrow("app_port").getNumberValue()).isEqualTo(8080);

        LbEndpoint c2 = a.get(1);
        assertThat(c2.getEndpoint().getAddress().getSocketAddress().getPortValue()).as("plain endpoint: the app port").isEqualTo(8080);
        assertThat(c2.getHealthStatus()).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.DEGRADED);
        assertThat(c2.getMetadata().getFilterMetadataOrThrow("weft").getFieldsOrThrow("mesh").getBoolValue()).isFalse();

        LocalityLbEndpoints b = cla.getEndpoints(1);
        assertThat(b.getLbEndpoints(0).getHealthStatus()).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.UNHEALTHY);
        assertThat(b.getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getPortValue()).isEqualTo(8081);

        assertThat(r.endpoints().get(1).getEndpoints(0).getLocality().getZone()).as("unknown zone").isEmpty();
    }

    @Test
    void sidecarListenersComeFromItsNodeMetadata() {
        XdsResources r = builder.build(catalog(), sidecar(FULL_METADATA).profile());

        assertThat(r.listeners()).extracting(Listener::getName).containsExactly("weft-outbound", "weft-inbound");
        Listener out = r.listeners().get(0);
        assertThat(out.getAddress().getSocketAddress().getAddress()).isEqualTo("10.0.0.1");
        assertThat(out.getAddress().getSocketAddress().getPortValue()).isEqualTo(16001);
        HttpConnectionManager outHcm = hcm(out);
        assertThat(out.getFilterChains(0).getFilters(0).getName()).isEqualTo("envoy.filters.network.http_connection_manager");
        assertThat(outHcm.getStatPrefix()).isEqualTo("outbound");
        assertThat(outHcm.getRds().getRouteConfigName()).isEqualTo("weft-outbound");
        assertThat(outHcm.getRds().getConfigSource().hasAds()).isTrue();
        assertThat(outHcm.getHttpFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.http.router");

        Listener in = r.listeners().get(1);
        assertThat(in.getAddress().getSocketAddress().getPortValue()).isEqualTo(16006);
        RouteConfiguration inRoutes = hcm(in).getRouteConfig();
        assertThat(inRoutes.getName()).isEqualTo("weft-inbound");
        VirtualHost vh = inRoutes.getVirtualHosts(0);
        assertThat(vh.getName()).isEqualTo("inbound");
        assertThat(vh.getDomainsList()).containsExactly("*");
        assertThat(vh.getRoutes(0).getMatch().getPrefix()).isEqualTo("/");
        assertThat(vh.getRoutes(0).getRoute().getCluster()).isEqualTo("inbound|8080");
        assertThat(vh.getRoutes(0).getRoute().hasTimeout()).isTrue();
        assertThat(vh.getRoutes(0).getRoute().getTimeout().getSeconds()).as("no timeout").isZero();
    }

    @Test
    void outboundRoutesHaveOneVirtualHostPerService() {
        XdsResources r = builder.build(catalog(), sidecar(FULL_METADATA).profile());

        assertThat(r.routes()).extracting(RouteConfiguration::getName).containsExactly("weft-outbound");
        List<VirtualHost> vhosts = r.routes().get(0).getVirtualHostsList();
        assertThat(vhosts).extracting(VirtualHost::getName).containsExactly("catalog", "ratings");
        assertThat(vhosts.get(0).getDomainsList()).containsExactly("catalog", "catalog.service.weft");
        assertThat(vhosts.get(0).getRoutes(0).getMatch().getPrefix()).isEqualTo("/");
        assertThat(vhosts.get(0).getRoutes(0).getRoute().getCluster()).isEqualTo("catalog");
        assertThat(vhosts.get(0).getRoutes(0).getRoute().getTimeout().getSeconds()).isEqualTo(15);
    }

    @Test
    void sidecarWithoutAppPortGetsDefaultsAndNoInboundSide() {
        NodeInfo node = sidecar(Map.of());
        assertThat(node.bind()).isEqualTo("127.0.0.1");
        assertThat(node.outboundPort()).isEqualTo(15001);
        assertThat(node.inboundPort()).isEqualTo(15006);

        XdsResources r = builder.build(catalog(), node.profile());

        assertThat(r.listeners()).extracting(Listener::getName).containsExactly("weft-outbound");
        assertThat(r.listeners().get(0).getAddress().getSocketAddress().getPortValue()).isEqualTo(15001);
        assertThat(r.clusters()).extracting(Cluster::getName).containsExactly("catalog", "ratings");
    }

    @Test
    void badMetadataIsNamedAndReplacedByDefaults() {
        List<String> problems = new ArrayList<>();
        NodeInfo node = NodeInfo.parse(Node.newBuilder().setId("sidecar~10.0.0.1~c1~default")
                .setMetadata(Struct.newBuilder()
                        .putFields(NodeInfo.KEY_BIND, AdsClient.string("not-an-ip"))
                        .putFields(NodeInfo.KEY_OUTBOUND_PORT, AdsClient.number(70000))
                        .putFields(NodeInfo.KEY_INBOUND_PORT, AdsClient.string("16006"))
                        .putFields(NodeInfo.KEY_APP_PORT, Value.newBuilder().setBoolValue(true).build()))
                .build(), problems);

        assertThat(node.kind()).isEqualTo(NodeInfo.Kind.SIDECAR);
        assertThat(node.bind()).isEqualTo("127.0.0.1");
        assertThat(node.outboundPort()).isEqualTo(15001);
        assertThat(node.inboundPort()).as("a decimal string is accepted").isEqualTo(16006);
        assertThat(node.appPort()).isZero();
        assertThat(problems).hasSize(3);
        assertThat(String.join("; ", problems)).contains("weft.bind", "weft.outbound_port", "70000", "weft.app_port");
    }

    @Test
    void proxylessClientsGetApiListenersWithInlineRoutesAndRouterLast() {
        NodeInfo node = NodeInfo.parse(Node.newBuilder().setId("greeter-client-1").build());
        assertThat(node.kind()).isEqualTo(NodeInfo.Kind.PROXYLESS);

        XdsResources r = builder.build(catalog(), node.profile());

        assertThat(r.routes()).isEmpty();
        assertThat(r.clusters()).extracting(Cluster::getName).containsExactly("catalog", "ratings");
        assertThat(r.endpoints()).hasSize(2);
        assertThat(r.listeners()).extracting(Listener::getName).containsExactly("catalog", "ratings");
        Listener l = r.listeners().get(0);
        assertThat(l.hasAddress()).isFalse();
        HttpConnectionManager hcm = unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class);
        VirtualHost vh = hcm.getRouteConfig().getVirtualHosts(0);
        assertThat(vh.getDomainsList()).containsExactly("catalog");
        assertThat(vh.getRoutes(0).getMatch().getPrefix()).isEqualTo("/");
        assertThat(vh.getRoutes(0).getRoute().getCluster()).isEqualTo("catalog");
        assertThat(hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getName()).isEqualTo("envoy.filters.http.router");
        assertThat(hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getTypedConfig().getTypeUrl())
                .isEqualTo("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
    }

    private static HttpProtocolOptions httpOptions(Cluster c) {
        return unpack(c.getTypedExtensionProtocolOptionsOrThrow(SnapshotBuilder.UPSTREAM_HTTP_OPTIONS), HttpProtocolOptions.class);
    }

    private static NodeInfo sidecarSpeaking(String appProtocol) {
        Map<String, Value> md = new HashMap<>(FULL_METADATA);
        md.put(NodeInfo.KEY_APP_PROTOCOL, AdsClient.string(appProtocol));
        return sidecar(md);
    }

    @Test
    void inboundClusterSpeaksTheAppProtocolOfTheNodeMetadata() {
        Cluster http1 = builder.build(catalog(), sidecar(FULL_METADATA).profile()).clusters().get(2);
        assertThat(http1.getName()).isEqualTo("inbound|8080");
        assertThat(httpOptions(http1).getExplicitHttpConfig().getProtocolConfigCase())
                .as("no weft.app_protocol: HTTP/1.1").isEqualTo(ProtocolConfigCase.HTTP_PROTOCOL_OPTIONS);
        assertThat(httpOptions(builder.build(catalog(), sidecarSpeaking("http1").profile()).clusters().get(2))
                .getExplicitHttpConfig().getProtocolConfigCase()).isEqualTo(ProtocolConfigCase.HTTP_PROTOCOL_OPTIONS);

        NodeInfo h2 = sidecarSpeaking("http2");
        Cluster http2 = builder.build(catalog(), h2.profile()).clusters().get(2);
        assertThat(httpOptions(http2).getExplicitHttpConfig().getProtocolConfigCase()).isEqualTo(ProtocolConfigCase.HTTP2_PROTOCOL_OPTIONS);
        assertThat(h2.profile()).as("nodes whose apps speak differently do not share a snapshot")
                .isNotEqualTo(sidecar(FULL_METADATA).profile());
    }

    @Test
    void serviceClustersCarryTheDownstreamProtocolForSidecarsAndProxylessClientsAlike() {
        for (NodeInfo node : List.of(sidecarSpeaking("http2"), NodeInfo.parse(Node.newBuilder().setId("greeter-client-1").build()))) {
            for (Cluster c : builder.build(catalog(), node.profile()).clusters().subList(0, 2)) {
                HttpProtocolOptions http = httpOptions(c);
                assertThat(http.getUpstreamProtocolOptionsCase())
                        .isEqualTo(HttpProtocolOptions.UpstreamProtocolOptionsCase.USE_DOWNSTREAM_PROTOCOL_CONFIG);
                assertThat(http.getUseDownstreamProtocolConfig().hasHttpProtocolOptions()).isTrue();
                assertThat(http.getUseDownstreamProtocolConfig().hasHttp2ProtocolOptions()).isTrue();
            }
        }
    }

    @Test
    void appProtocolIsParsedAndAnUnknownOneIsNamedAndTakenAsHttp1() {
        assertThat(sidecar(FULL_METADATA).appProtocol()).isEqualTo(NodeInfo.AppProtocol.HTTP1);
        assertThat(sidecarSpeaking("http1").appProtocol()).isEqualTo(NodeInfo.AppProtocol.HTTP1);
        assertThat(sidecarSpeaking("http2").appProtocol()).isEqualTo(NodeInfo.AppProtocol.HTTP2);

        List<String> problems = new ArrayList<>();
        NodeInfo spdy = NodeInfo.parse(Node.newBuilder().setId("sidecar~10.0.0.1~c1~default")
                .setMetadata(Struct.newBuilder().putFields(NodeInfo.KEY_APP_PROTOCOL, AdsClient.string("spdy"))).build(), problems);
        assertThat(spdy.appProtocol()).isEqualTo(NodeInfo.AppProtocol.HTTP1);
        assertThat(problems).containsExactly("weft.app_protocol: must be 'http1' or 'http2', was 'spdy'");

        problems.clear();
        NodeInfo number = NodeInfo.parse(Node.newBuilder().setId("sidecar~10.0.0.1~c1~default")
                .setMetadata(Struct.newBuilder().putFields(NodeInfo.KEY_APP_PROTOCOL, AdsClient.number(2))).build(), problems);
        assertThat(number.appProtocol()).isEqualTo(NodeInfo.AppProtocol.HTTP1);
        assertThat(problems).containsExactly("weft.app_protocol: must be a string, was 2.0");
    }

    @Test
    void equalCatalogsGiveEqualResources() {
        NodeInfo.Profile p = sidecar(FULL_METADATA).profile();
        List<ServiceEntry> reversed = new ArrayList<>(catalog());
        java.util.Collections.reverse(reversed);
        assertThat(builder.build(reversed, p)).isEqualTo(builder.build(catalog(), p));
    }

    private static HttpConnectionManager hcm(Listener l) {
        return unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), HttpConnectionManager.class);
    }
}
