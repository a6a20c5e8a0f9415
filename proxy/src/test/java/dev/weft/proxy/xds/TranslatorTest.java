package dev.weft.proxy.xds;

import static dev.weft.proxy.xds.XdsResources.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.UpstreamProtocol;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslatorTest {

    // ---- Listener ----

    @Test
    void outboundListenerReferencesRds() throws Exception {
        var l = translate(outbound(15001));
        assertThat(l.name()).isEqualTo("weft-outbound");
        assertThat(l.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 15001));
        assertThat(l.rdsName()).isEqualTo("weft-outbound");
        assertThat(l.inlineRoutes()).isNull();
    }

    @Test
    void inboundListenerCarriesInlineRoutesWithNoTimeout() throws Exception {
        var l = translate(inbound(15006, 8080));
        assertThat(l.rdsName()).isNull();
        RouteTable t = l.inlineRoutes();
        assertThat(t.name()).isEqualTo("weft-inbound");
        var route = t.match("anything").match("/x");
        assertThat(route.cluster()).isEqualTo("inbound|8080");
        assertThat(route.timeout()).isEqualTo(Duration.ZERO);
    }

    @Test
    void optionalHttpFiltersAreSkipped() throws Exception {
        HttpFilter optional = HttpFilter.newBuilder().setName("weft.rate_limit").setIsOptional(true)
                .setTypedConfig(Any.pack(Empty.getDefaultInstance())).build();
        var hcm = HttpConnectionManager.newBuilder(rdsHcm("r").build()).clearHttpFilters().addHttpFilters(optional).addHttpFilters(router());
        assertThat(translate(listener("l", 1, hcm.build())).rdsName()).isEqualTo("r");
    }

    @Test
    void nonHcmNetworkFilterIsRejected() {
        Listener l = outbound(15001).toBuilder().setFilterChains(0, outbound(15001).getFilterChains(0).toBuilder()
                .setFilters(0, Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(Empty.getDefaultInstance())))).build();
        assertThatThrownBy(() -> translate(l)).hasMessage(
                "Listener 'weft-outbound': filter_chains[0].filters[0]: unsupported network filter 'envoy.filters.network.tcp_proxy' "
                        + "(type.googleapis.com/google.protobuf.Empty); only envoy.filters.network.http_connection_manager is supported");
    }

    @Test
    void nonRouterHttpFilterIsRejectedUnlessOptional() {
        HttpFilter fault = HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(Empty.getDefaultInstance())).build();
        var hcm = rdsHcm("r").clearHttpFilters().addHttpFilters(fault).addHttpFilters(router()).build();
        assertThatThrownBy(() -> translate(listener("l", 1, hcm))).hasMessage(
                "Listener 'l': filter_chains[0].filters[0].typed_config.http_filters[0]: unsupported HTTP filter "
                        + "'envoy.filters.http.fault' (type.googleapis.com/google.protobuf.Empty); mark it is_optional or remove it");
    }

    @Test
    void routerMustBePresentAndLast() {
        HttpFilter optional = HttpFilter.newBuilder().setName("x").setIsOptional(true).build();
        var first = rdsHcm("r").addHttpFilters(optional).build();
        assertThatThrownBy(() -> translate(listener("l", 1, first)))
                .hasMessageContaining("http_filters[0]: the router filter must be last");
        var none = rdsHcm("r").clearHttpFilters().build();
        assertThatThrownBy(() -> translate(listener("l", 1, none)))
                .hasMessageContaining("http_filters: the router filter (envoy.filters.http.router) is required, last");
    }

    @Test
    void listenerShapeErrorsNameTheField() {
        Listener base = outbound(15001);
        assertThatThrownBy(() -> translate(base.toBuilder().clearAddress().build()))
                .hasMessage("Listener 'weft-outbound': address: required");
        assertThatThrownBy(() -> translate(base.toBuilder().setAddress(address("localhost", 1)).build()))
                .hasMessage("Listener 'weft-outbound': address.socket_address.address: 'localhost' is not an IP address literal");
        assertThatThrownBy(() -> translate(base.toBuilder()
                .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")).build()))
                .hasMessage("Listener 'weft-outbound': listener_filters[0]: listener filters are not supported ('envoy.filters.listener.tls_inspector')");
        assertThatThrownBy(() -> translate(base.toBuilder().addFilterChains(base.getFilterChains(0)).build()))
                .hasMessage("Listener 'weft-outbound': filter_chains: exactly one filter chain is supported, got 2");
        assertThatThrownBy(() -> translate(base.toBuilder().setFilterChains(0,
                base.getFilterChains(0).toBuilder().setTransportSocket(TransportSocket.newBuilder().setName("tls"))).build()))
                .hasMessage("Listener 'weft-outbound': filter_chains[0].transport_socket: downstream TLS is not supported yet");
        var nonAds = rdsHcm("r").setRds(rdsHcm("r").getRds().toBuilder().setConfigSource(
                io.envoyproxy.envoy.config.core.v3.ConfigSource.newBuilder().setPath("/etc/routes.yaml"))).build();
        assertThatThrownBy(() -> translate(listener("l", 1, nonAds)))
                .hasMessage("Listener 'l': filter_chains[0].filters[0].typed_config.rds.config_source: only ads {} is supported, got PATH");
    }

    // ---- RouteConfiguration ----

    @Test
    void routesTranslateWithDefaultTimeout() throws Exception {
        RouteConfiguration rc = outboundRoutes("catalog", "orders").toBuilder()
                .addVirtualHosts(VirtualHost.newBuilder().setName("legacy").addDomains("legacy")
                        .addRoutes(route("/v1", "legacy-v1", null)))
                .build();
        RouteTable t = translate(rc);
        assertThat(t.name()).isEqualTo("weft-outbound");
        assertThat(t.virtualHosts()).hasSize(3);
        assertThat(t.match("catalog.service.weft:80").name()).isEqualTo("catalog");
        var r = t.match("orders").match("/x");
        assertThat(r.cluster()).isEqualTo("orders");
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(15));
        var legacy = t.match("legacy").match("/v1/items");
        assertThat(legacy.pathPrefix()).isEqualTo("/v1");
        assertThat(legacy.timeout()).as("Envoy's default").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void unsupportedRoutesAreRejected() {
        Route regex = Route.newBuilder().setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".*")))
                .setRoute(RouteAction.newBuilder().setCluster("c")).build();
        assertThatThrownBy(() -> translate(rc(regex)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].match: only prefix matches are supported, got safe_regex");
        Route weighted = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("a").setWeight(UInt32Value.of(1))))).build();
        assertThatThrownBy(() -> translate(rc(weighted)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].route: only a single cluster is supported, got weighted_clusters");
        Route redirect = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRedirect(RedirectAction.newBuilder().setHostRedirect("x")).build();
        assertThatThrownBy(() -> translate(rc(redirect)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0]: only a route action is supported, got redirect");
        Route negative = route("/", "c", com.google.protobuf.Duration.newBuilder().setSeconds(-1).build());
        assertThatThrownBy(() -> translate(rc(negative)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].route.timeout: must not be negative");
        Route headers = route("/", "c", null).toBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/")
                .addHeaders(io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder().setName("x"))).build();
        assertThatThrownBy(() -> translate(rc(headers)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].match.headers: header matchers are not supported");
        assertThatThrownBy(() -> translate(RouteConfiguration.newBuilder().setName("r")
                .addVirtualHosts(VirtualHost.newBuilder().setName("v")).build()))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].domains: at least one domain is required");
    }

    private static RouteConfiguration rc(Route r) {
        return RouteConfiguration.newBuilder().setName("r")
                .addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*").addRoutes(r)).build();
    }

    // ---- Encodings that only a hand-written decoder can get wrong ----

    private static byte[] concat(com.google.protobuf.Message a, com.google.protobuf.Message b) {
        return com.google.protobuf.ByteString.copyFrom(a.toByteArray()).concat(b.toByteString()).toByteArray();
    }

    @Test
    void theLastMemberOfAOneofWinsAndARepeatedMessageFieldIsMerged() throws Exception {
        Route prefix = route("/", "catalog", com.google.protobuf.Duration.getDefaultInstance());
        Route path = prefix.toBuilder().setMatch(RouteMatch.newBuilder().setPath("/exact")).build();
        // Route.match appears twice: the two RouteMatch encodings merge, and in the merged one the later path specifier wins.
        byte[] mergedRoute = concat(path, prefix);
        byte[] rcWithMergedRoute = RouteConfiguration.newBuilder().setName("r").addVirtualHosts(VirtualHost.newBuilder().setName("v")
                .addDomains("*").addRoutes(Route.parseFrom(mergedRoute))).build().toByteArray();
        assertThat(RouteConfigurationTranslator.translate(rcWithMergedRoute).virtualHosts().get(0).routes().get(0).pathPrefix()).isEqualTo("/");
        // The same merge, decoded by the sidecar from the raw bytes rather than re-encoded by protobuf-java:
        byte[] vh = concatBytes(VirtualHost.newBuilder().setName("v").addDomains("*").build().toByteArray(),
                field(3, mergedRoute));
        assertThat(RouteConfigurationTranslator.translate(concatBytes(
                RouteConfiguration.newBuilder().setName("r").build().toByteArray(), field(2, vh))).virtualHosts().get(0).routes().get(0)
                .pathPrefix()).isEqualTo("/");
        byte[] reversed = concatBytes(VirtualHost.newBuilder().setName("v").addDomains("*").build().toByteArray(),
                field(3, concat(prefix, path)));
        assertThatThrownBy(() -> RouteConfigurationTranslator.translate(concatBytes(
                RouteConfiguration.newBuilder().setName("r").build().toByteArray(), field(2, reversed))))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].match: only prefix matches are supported, got path");

        // Cluster: type EDS then cluster_type (same oneof) is a custom cluster; the other order is EDS.
        Cluster eds = edsCluster("c").build();
        Cluster custom = Cluster.newBuilder().setName("c").setClusterType(Cluster.CustomClusterType.newBuilder().setName("x.y")).build();
        assertThatThrownBy(() -> ClusterTranslator.translate(concat(eds, custom)))
                .hasMessage("Cluster 'c': cluster_type: custom cluster types are not supported ('x.y')");
        assertThat(ClusterTranslator.translate(concat(custom, eds)).isEds()).isTrue();
    }

    /** A length-delimited field: tag, length, bytes. */
    private static byte[] field(int number, byte[] value) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream w = com.google.protobuf.CodedOutputStream.newInstance(out);
        w.writeByteArray(number, value);
        w.flush();
        return out.toByteArray();
    }

    private static byte[] concatBytes(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void undecodableResourcesAreNackedSayingWhere() throws Exception {
        byte[] cluster = edsCluster("c").build().toByteArray();
        assertThatThrownBy(() -> ClusterTranslator.translate(java.util.Arrays.copyOf(cluster, cluster.length - 1)))
                .isInstanceOf(XdsResourceException.class).hasMessageContaining("cannot be decoded");
        // A Duration whose seconds arrive as a string: the field is named, and nothing else escapes.
        byte[] badTimeout = concatBytes(cluster, field(4, field(1, "x".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> ClusterTranslator.translate(badTimeout))
                .hasMessage("Cluster 'c': connect_timeout: cannot be decoded: field 1 has wire type 2, expected 0");
    }

    // ---- Cluster ----

    @Test
    void edsClusterTranslatesEveryField() throws Exception {
        var c = translate(edsCluster("catalog").setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).build());
        assertThat(c.edsName()).isEqualTo("catalog");
        assertThat(c.config()).isEqualTo(new ClusterConfig("catalog", LbPolicy.LEAST_REQUEST, Duration.ofSeconds(1),
                Duration.ofSeconds(60), 0, List.of()));
        var named = translate(edsCluster("c").setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName("svc-c")).setLbPolicy(Cluster.LbPolicy.RANDOM).build());
        assertThat(named.edsName()).isEqualTo("svc-c");
        assertThat(named.config().lbPolicy()).isEqualTo(LbPolicy.RANDOM);
    }

    @Test
    void defaultsAreEnvoys() throws Exception {
        var c = translate(Cluster.newBuilder().setName("c").setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build());
        assertThat(c.config()).isEqualTo(new ClusterConfig("c", LbPolicy.ROUND_ROBIN, Duration.ofSeconds(5), Duration.ofHours(1), 0, List.of()));
    }

    @Test
    void typedUpstreamHttpOptionsAreRead() throws Exception {
        var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
                        .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(7))
                        .setMaxRequestsPerConnection(UInt32Value.of(100)))
                .build();
        var c = translate(edsCluster("c").clearCommonHttpProtocolOptions()
                .putTypedExtensionProtocolOptions(ClusterTranslator.UPSTREAM_HTTP_OPTIONS, Any.pack(opts)).build());
        assertThat(c.config().idleTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.config().maxRequestsPerConnection()).isEqualTo(100);
    }

    private static ClusterTranslator.ClusterResource withUpstreamOptions(
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.Builder opts) throws XdsResourceException {
        return translate(edsCluster("c").clearCommonHttpProtocolOptions()
                .putTypedExtensionProtocolOptions(ClusterTranslator.UPSTREAM_HTTP_OPTIONS, Any.pack(opts.build())).build());
    }

    @Test
    void upstreamProtocolComesFromTheTypedHttpOptions() throws Exception {
        var http1 = io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance();
        var http2 = io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.newBuilder()
                .setMaxConcurrentStreams(UInt32Value.of(100)).build(); // accepted, not carried
        var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
        var explicit = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder();
        var downstream = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder();

        assertThat(withUpstreamOptions(opts.clone().setExplicitHttpConfig(explicit.clone().setHttpProtocolOptions(http1)))
                .config().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(withUpstreamOptions(opts.clone().setExplicitHttpConfig(explicit.clone().setHttp2ProtocolOptions(http2)))
                .config().protocol()).isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(withUpstreamOptions(opts.clone().setUseDownstreamProtocolConfig(
                downstream.clone().setHttpProtocolOptions(http1).setHttp2ProtocolOptions(http2))).config().protocol())
                .isEqualTo(UpstreamProtocol.DOWNSTREAM);
        assertThat(withUpstreamOptions(opts.clone().setUseDownstreamProtocolConfig(downstream.clone().setHttpProtocolOptions(http1)))
                .config().protocol()).as("downstream HTTP/2 falls back to HTTP/1.1 without http2 options, as in Envoy")
                .isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(translate(edsCluster("c").build()).config().protocol())
                .as("no typed extension: Envoy's default").isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(translate(staticCluster(8080)).config().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    }

    @Test
    void typedOptionsOfAnotherTypeOrUndecodableAreNackedWithTheField() {
        var wrongType = edsCluster("c").clearCommonHttpProtocolOptions().putTypedExtensionProtocolOptions(ClusterTranslator.UPSTREAM_HTTP_OPTIONS,
                Any.pack(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.getDefaultInstance())).build();
        assertThatThrownBy(() -> translate(wrongType)).isInstanceOf(XdsResourceException.class).hasMessage(
                "Cluster 'c': typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]: is a "
                        + "type.googleapis.com/envoy.config.core.v3.HttpProtocolOptions, expected "
                        + "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
        var garbage = edsCluster("c").clearCommonHttpProtocolOptions().putTypedExtensionProtocolOptions(ClusterTranslator.UPSTREAM_HTTP_OPTIONS,
                Any.newBuilder().setTypeUrl("type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                        .setValue(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})).build()).build();
        assertThatThrownBy(() -> translate(garbage)).isInstanceOf(XdsResourceException.class)
                .hasMessageStartingWith("Cluster 'c': typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]: "
                        + "cannot be decoded as envoy.extensions.upstreams.http.v3.HttpProtocolOptions: ");
    }

    @Test
    void alpnAutoConfigIsNackedForItNeedsTls() {
        var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setAutoConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig.getDefaultInstance());
        assertThatThrownBy(() -> withUpstreamOptions(opts)).isInstanceOf(XdsResourceException.class).hasMessage(
                "Cluster 'c': typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions].auto_config: "
                        + "ALPN auto config needs upstream TLS, not supported");
    }

    @Test
    void explicitHttp3IsNacked() {
        var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                        .setHttp3ProtocolOptions(io.envoyproxy.envoy.config.core.v3.Http3ProtocolOptions.getDefaultInstance()));
        assertThatThrownBy(() -> withUpstreamOptions(opts)).isInstanceOf(XdsResourceException.class)
                .hasMessageEndingWith(".explicit_http_config.http3_protocol_options: HTTP/3 is not supported");
    }

    @Test
    void staticClusterCarriesItsEndpoints() throws Exception {
        var c = translate(staticCluster(8080));
        assertThat(c.isEds()).isFalse();
        assertThat(c.config().name()).isEqualTo("inbound|8080");
        assertThat(c.config().endpoints()).containsExactly(
                new Endpoint(new InetSocketAddress("127.0.0.1", 8080), EndpointHealth.HEALTHY, 1, "", false, ""));
    }

    @Test
    void unsupportedClustersAreRejected() {
        assertThatThrownBy(() -> translate(edsCluster("c").setType(Cluster.DiscoveryType.STRICT_DNS).build()))
                .hasMessage("Cluster 'c': type: unsupported cluster type STRICT_DNS (the Weft sidecar supports EDS and STATIC)");
        assertThatThrownBy(() -> translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build()))
                .hasMessage("Cluster 'c': lb_policy: unsupported policy CLUSTER_PROVIDED (supported: ROUND_ROBIN, RANDOM, LEAST_REQUEST, RING_HASH, MAGLEV)");
        assertThatThrownBy(() -> translate(edsCluster("c").setClusterType(
                Cluster.CustomClusterType.newBuilder().setName("envoy.clusters.aggregate")).build()))
                .hasMessage("Cluster 'c': cluster_type: custom cluster types are not supported ('envoy.clusters.aggregate')");
        assertThatThrownBy(() -> translate(edsCluster("c").setTransportSocket(TransportSocket.newBuilder().setName("tls")).build()))
                .hasMessage("Cluster 'c': transport_socket: upstream TLS is not supported yet");
        assertThatThrownBy(() -> translate(staticCluster(8080).toBuilder().clearLoadAssignment().build()))
                .hasMessage("Cluster 'inbound|8080': load_assignment: required for a STATIC cluster");
        assertThatThrownBy(() -> translate(edsCluster("c").setConnectTimeout(com.google.protobuf.Duration.getDefaultInstance()).build()))
                .hasMessage("Cluster 'c': connect_timeout: must be positive");
    }

    @Test
    void hashingPoliciesCarryTheirSizes() throws Exception {
        var ring = translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.RING_HASH)
                .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(2048))
                        .setMaximumRingSize(UInt64Value.of(4096))).build()).config();
        assertThat(ring.lbPolicy()).isEqualTo(LbPolicy.RING_HASH);
        assertThat(ring.lbConfig()).isEqualTo(LbConfig.DEFAULTS.withRingSize(2048, 4096));
        var maglev = translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.MAGLEV)
                .setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(251))).build()).config();
        assertThat(maglev.lbPolicy()).isEqualTo(LbPolicy.MAGLEV);
        assertThat(maglev.lbConfig().maglevTableSize()).isEqualTo(251);
        assertThat(translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.MAGLEV).build()).config().lbConfig())
                .isEqualTo(LbConfig.DEFAULTS);
        assertThatThrownBy(() -> translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.MAGLEV)
                .setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(1000))).build()))
                .hasMessage("Cluster 'c': maglev_lb_config.table_size: must be a prime up to 5000011, was 1000");
        assertThatThrownBy(() -> translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.RING_HASH)
                .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(10))
                        .setMaximumRingSize(UInt64Value.of(5))).build()))
                .hasMessage("Cluster 'c': ring_hash_lb_config: ring sizes must satisfy 1 <= minimum_ring_size <= maximum_ring_size <= 8388608, were 10, 5");
    }

    @Test
    void peakEwmaIsChosenByWeftMetadata() throws Exception {
        Metadata md = Metadata.newBuilder().putFilterMetadata("weft", Struct.newBuilder()
                .putFields("lb", Value.newBuilder().setStringValue("peak_ewma").build()).build()).build();
        assertThat(translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setMetadata(md).build())
                .config().lbPolicy()).isEqualTo(LbPolicy.PEAK_EWMA);
        assertThat(translate(edsCluster("c").setMetadata(md).build()).config().lbPolicy()).isEqualTo(LbPolicy.PEAK_EWMA);
        assertThatThrownBy(() -> translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.MAGLEV).setMetadata(md).build()))
                .hasMessage("Cluster 'c': metadata.filter_metadata[\"weft\"].lb: peak_ewma needs lb_policy ROUND_ROBIN or LEAST_REQUEST, was MAGLEV");
        Metadata bad = Metadata.newBuilder().putFilterMetadata("weft", Struct.newBuilder()
                .putFields("lb", Value.newBuilder().setStringValue("p3").build()).build()).build();
        assertThatThrownBy(() -> translate(edsCluster("c").setMetadata(bad).build()))
                .hasMessageStartingWith("Cluster 'c': metadata.filter_metadata[\"weft\"].lb: unsupported Weft balancer");
    }

    @Test
    void slowStartAndPanicThresholdAreRead() throws Exception {
        var window = com.google.protobuf.Duration.newBuilder().setSeconds(30).build();
        var rr = translate(edsCluster("c").setRoundRobinLbConfig(Cluster.RoundRobinLbConfig.newBuilder()
                .setSlowStartConfig(Cluster.SlowStartConfig.newBuilder().setSlowStartWindow(window)))
                .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(Percent.newBuilder().setValue(25)))
                .build()).config();
        assertThat(rr.lbConfig()).isEqualTo(LbConfig.DEFAULTS.withSlowStartWindow(Duration.ofSeconds(30)).withHealthyPanicThreshold(25));
        var lr = translate(edsCluster("c").setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
                .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder()
                        .setSlowStartConfig(Cluster.SlowStartConfig.newBuilder().setSlowStartWindow(window))).build()).config();
        assertThat(lr.lbConfig().slowStartWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> translate(edsCluster("c")
                .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(Percent.newBuilder().setValue(150)))
                .build()))
                .hasMessage("Cluster 'c': common_lb_config.healthy_panic_threshold: must be 0-100, was 150.0");
    }

    @Test
    void hashPoliciesTranslate() throws Exception {
        Route r = route("/", "c", null).toBuilder().setRoute(RouteAction.newBuilder().setCluster("c")
                .addHashPolicy(RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user")))
                .addHashPolicy(RouteAction.HashPolicy.newBuilder().setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("sid"))
                        .setTerminal(true))
                .addHashPolicy(RouteAction.HashPolicy.newBuilder().setConnectionProperties(
                        RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true)))).build();
        var route = translate(rc(r)).match("any").match("/");
        assertThat(route.hashPolicies()).containsExactly(new HashPolicy(HashPolicy.Kind.HEADER, "x-user", false),
                new HashPolicy(HashPolicy.Kind.COOKIE, "sid", true), new HashPolicy(HashPolicy.Kind.SOURCE_IP, "", false));
        assertThat(translate(rc(route("/", "c", null))).match("any").match("/").hashPolicies()).isEmpty();
        Route query = route("/", "c", null).toBuilder().setRoute(RouteAction.newBuilder().setCluster("c")
                .addHashPolicy(RouteAction.HashPolicy.newBuilder().setQueryParameter(
                        RouteAction.HashPolicy.QueryParameter.newBuilder().setName("u")))).build();
        assertThatThrownBy(() -> translate(rc(query)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].route.hash_policy[0]: "
                        + "only header, cookie and connection_properties hash policies are supported, got query_parameter");
        Route ttl = route("/", "c", null).toBuilder().setRoute(RouteAction.newBuilder().setCluster("c")
                .addHashPolicy(RouteAction.HashPolicy.newBuilder().setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("sid")
                        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(1))))).build();
        assertThatThrownBy(() -> translate(rc(ttl)))
                .hasMessage("RouteConfiguration 'r': virtual_hosts[0].routes[0].route.hash_policy[0].cookie.ttl: generating cookies is not supported");
    }

    // ---- ClusterLoadAssignment ----

    @Test
    void endpointsTranslateEveryField() throws Exception {
        List<Endpoint> eps = translate(cla("catalog", "z1",
                endpoint("10.0.0.1", 15006, HealthStatus.HEALTHY, 3, true, "catalog-1"),
                endpoint("10.0.0.2", 8080, HealthStatus.DEGRADED, 1, false, "catalog-2")));
        assertThat(eps).containsExactly(
                new Endpoint(new InetSocketAddress("10.0.0.1", 15006), EndpointHealth.HEALTHY, 3, "z1", true, "catalog-1"),
                new Endpoint(new InetSocketAddress("10.0.0.2", 8080), EndpointHealth.DEGRADED, 1, "z1", false, "catalog-2"));
    }

    @Test
    void healthStatusesMapOntoThree() throws Exception {
        for (var e : java.util.Map.of(HealthStatus.UNKNOWN, EndpointHealth.HEALTHY, HealthStatus.HEALTHY, EndpointHealth.HEALTHY,
                HealthStatus.DEGRADED, EndpointHealth.DEGRADED, HealthStatus.UNHEALTHY, EndpointHealth.UNHEALTHY,
                HealthStatus.DRAINING, EndpointHealth.UNHEALTHY, HealthStatus.TIMEOUT, EndpointHealth.UNHEALTHY).entrySet()) {
            var eps = translate(cla("c", "", endpoint("10.0.0.1", 1, e.getKey(), 1, false, "i")));
            assertThat(eps.get(0).health()).as(e.getKey().toString()).isEqualTo(e.getValue());
        }
    }

    @Test
    void weightDefaultsToOneAndMetadataIsOptional() throws Exception {
        LbEndpoint bare = LbEndpoint.newBuilder().setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                .setAddress(address("::1", 9000))).build();
        var eps = translate(ClusterLoadAssignment.newBuilder().setClusterName("c")
                .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(bare)).build());
        assertThat(eps).containsExactly(new Endpoint(new InetSocketAddress("::1", 9000), EndpointHealth.HEALTHY, 1, "", false, ""));
        assertThat(translate(cla("empty", ""))).isEmpty();
    }

    @Test
    void malformedEndpointsAreRejected() {
        assertThatThrownBy(() -> translate(cla("c", "z", endpoint("10.0.0.1", 0, HealthStatus.HEALTHY, 1, false, "i"))))
                .hasMessage("ClusterLoadAssignment 'c': endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: "
                        + "must be between 1 and 65535, was 0");
        LbEndpoint noAddress = LbEndpoint.newBuilder().setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.getDefaultInstance()).build();
        assertThatThrownBy(() -> translate(cla("c", "z", noAddress)))
                .hasMessage("ClusterLoadAssignment 'c': endpoints[0].lb_endpoints[0].endpoint.address: required");
        LbEndpoint emptyIp = LbEndpoint.newBuilder().setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setPortValue(80)))).build();
        assertThatThrownBy(() -> translate(cla("c", "z", emptyIp)))
                .hasMessage("ClusterLoadAssignment 'c': endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: required");
        LbEndpoint zeroWeight = endpoint("10.0.0.1", 80, HealthStatus.HEALTHY, 1, false, "i").toBuilder().setLoadBalancingWeight(UInt32Value.of(0)).build();
        assertThatThrownBy(() -> translate(cla("c", "z", zeroWeight)))
                .hasMessage("ClusterLoadAssignment 'c': endpoints[0].lb_endpoints[0].load_balancing_weight: must be at least 1, was 0");
        assertThatThrownBy(() -> translate(ClusterLoadAssignment.getDefaultInstance()))
                .hasMessage("ClusterLoadAssignment '': cluster_name: required");
    }

    // The translators read encoded resources, as they arrive from the control plane.
    private static ListenerTranslator.ListenerResource translate(Listener l) throws XdsResourceException {
        return ListenerTranslator.translate(l.toByteArray());
    }

    private static dev.weft.proxy.config.RouteTable translate(RouteConfiguration rc) throws XdsResourceException {
        return RouteConfigurationTranslator.translate(rc.toByteArray());
    }

    private static ClusterTranslator.ClusterResource translate(Cluster c) throws XdsResourceException {
        return ClusterTranslator.translate(c.toByteArray());
    }

    private static List<dev.weft.proxy.config.Endpoint> translate(ClusterLoadAssignment cla) throws XdsResourceException {
        return ClusterLoadAssignmentTranslator.translate(cla.toByteArray()).endpoints();
    }
}
