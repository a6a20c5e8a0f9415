package dev.weft.it;

import static dev.weft.proxy.xds.XdsResources.cla;
import static dev.weft.proxy.xds.XdsResources.edsCluster;
import static dev.weft.proxy.xds.XdsResources.endpoint;
import static dev.weft.proxy.xds.XdsResources.inbound;
import static dev.weft.proxy.xds.XdsResources.outbound;
import static dev.weft.proxy.xds.XdsResources.outboundRoutes;
import static dev.weft.proxy.xds.XdsResources.staticCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real `weft proxy` process against an in-test xDS server (java-control-plane, the library the
 * control plane uses): it registers with a real control plane, but takes its configuration from
 * the test, which sends an unsupported listener filter, an unknown cluster type and a malformed
 * endpoint. The sidecar NACKs each with a precise error_detail, keeps serving with the previous
 * configuration, and accepts the next valid version.
 */
class SidecarNackProcessTest {
    private static final String TYPE_CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final String TYPE_EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private static final String TYPE_LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private static final String NODE = "sidecar~127.0.0.1~web-1~default";

    @TempDir
    Path dir;

    private final List<WeftProcess> processes = new ArrayList<>();
    private final List<NamedApp> apps = new ArrayList<>();
    private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
    private final Queue<DiscoveryRequest> requests = new ConcurrentLinkedQueue<>();
    private Server xds;

    @AfterEach
    void stop() throws Exception {
        processes.forEach(WeftProcess::close);
        apps.forEach(NamedApp::close);
        if (xds != null) {
            xds.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private int app(String name) {
        NamedApp a = NamedApp.start(name);
        apps.add(a);
        return a.port();
    }

    private int startXds() throws Exception {
        V3DiscoveryServer server = new V3DiscoveryServer(new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                requests.add(request);
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            }
        }, cache);
        xds = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(server.getAggregatedDiscoveryServiceImpl()).build().start();
        return xds.getPort();
    }

    private static Snapshot snapshot(String cdsV, String edsV, String ldsV, List<Cluster> clusters,
                                     List<ClusterLoadAssignment> endpoints, List<Listener> listeners) {
        return Snapshot.create(clusters, cdsV, endpoints, edsV, listeners, ldsV, List.of(outboundRoutes("catalog")), "1",
                List.of(), "1");
    }

    @Test
    void nacksEachBadResourceKeepsServingAndAcceptsTheNextValidVersion() throws Exception {
        int http = Tools.freePort();
        WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(),
                "--http-port", String.valueOf(http), "--dns-port", "0", "--xds-port", "0")).awaitReady();
        processes.add(cp);
        String token = Files.readString(dir.resolve("cp/admin-token")).trim();
        int webApp = app("web-1");
        int v1 = app("catalog-v1");
        int v2 = app("catalog-v2");
        int outPort = Tools.freePort();
        int inPort = Tools.freePort();

        List<Cluster> clusters = List.of(edsCluster("catalog").build(), staticCluster(webApp));
        List<Listener> listeners = List.of(outbound(outPort), inbound(inPort, webApp));
        List<ClusterLoadAssignment> toV1 = List.of(cla("catalog", "", endpoint("127.0.0.1", v1, HealthStatus.HEALTHY, 1, false, "catalog-1")));
        cache.setSnapshot(NODE, snapshot("1", "1", "1", clusters, toV1, listeners));
        int xdsPort = startXds();

        WeftProcess sidecar = WeftProcess.start(List.of("proxy", "--service", "web", "--instance-id", "web-1",
                "--app-port", String.valueOf(webApp), "--outbound-port", String.valueOf(outPort), "--inbound-port", String.valueOf(inPort),
                "--admin-port", "0", "--event-loops", "1", "--control-plane", "http://127.0.0.1:" + http,
                "--xds", "127.0.0.1:" + xdsPort, "--state-dir", dir.resolve("state").toString(), "--health-interval", "300ms"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
        processes.add(sidecar);
        HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", outPort)))
                .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest catalog = HttpRequest.newBuilder(URI.create("http://catalog/items")).timeout(Duration.ofSeconds(5)).build();
        Awaitility.await("the sidecar serves the first configuration").atMost(Duration.ofSeconds(20))
                .until(() -> body(viaSidecar, catalog).equals("catalog-v1"));
        Awaitility.await("registered with the real control plane").atMost(Duration.ofSeconds(10))
                .until(() -> Http.get(cp.baseUrl() + "/api/v1/services/web/instances").body().contains("web-1"));

        // Unknown cluster type.
        List<Cluster> badClusters = List.of(edsCluster("catalog").setType(Cluster.DiscoveryType.STRICT_DNS).build(), staticCluster(webApp));
        cache.setSnapshot(NODE, snapshot("2", "1", "1", badClusters, toV1, listeners));
        awaitNack(TYPE_CDS, "Cluster 'catalog': type: unsupported cluster type STRICT_DNS (the Weft sidecar supports EDS and STATIC)");
        assertThat(body(viaSidecar, catalog)).isEqualTo("catalog-v1");

        // Unsupported listener filter.
        Listener tcp = outbound(outPort).toBuilder().setFilterChains(0, outbound(outPort).getFilterChains(0).toBuilder()
                .setFilters(0, Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
                        .setTypedConfig(Any.pack(Empty.getDefaultInstance())))).build();
        cache.setSnapshot(NODE, snapshot("2", "1", "2", badClusters, toV1, List.of(tcp, listeners.get(1))));
        awaitNack(TYPE_LDS, "Listener 'weft-outbound': filter_chains[0].filters[0]: unsupported network filter 'envoy.filters.network.tcp_proxy'");
        assertThat(body(viaSidecar, catalog)).isEqualTo("catalog-v1");

        // Malformed endpoint (port 0).
        List<ClusterLoadAssignment> badEndpoints = List.of(cla("catalog", "", endpoint("127.0.0.1", 0, HealthStatus.HEALTHY, 1, false, "x")));
        cache.setSnapshot(NODE, snapshot("2", "2", "2", badClusters, badEndpoints, List.of(tcp, listeners.get(1))));
        awaitNack(TYPE_EDS, "ClusterLoadAssignment 'catalog': endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: "
                + "must be between 1 and 65535, was 0");
        for (int i = 0; i < 20; i++) {
            assertThat(body(viaSidecar, catalog)).as("served with the old configuration").isEqualTo("catalog-v1");
        }

        // The next valid version is accepted: catalog now points at v2.
        List<ClusterLoadAssignment> toV2 = List.of(cla("catalog", "", endpoint("127.0.0.1", v2, HealthStatus.HEALTHY, 1, false, "catalog-2")));
        cache.setSnapshot(NODE, snapshot("3", "3", "3", clusters, toV2, listeners));
        Awaitility.await("the next valid version is served").atMost(Duration.ofSeconds(10))
                .until(() -> body(viaSidecar, catalog).equals("catalog-v2"));
        Awaitility.await("ACKed").atMost(Duration.ofSeconds(10)).until(() -> requests.stream().anyMatch(r ->
                r.getTypeUrl().equals(TYPE_EDS) && r.getVersionInfo().equals("3") && !r.hasErrorDetail()));
        assertThat(sidecar.stderr()).contains("STRICT_DNS").contains("tcp_proxy").contains("port_value");
    }

    /** A NACK of {@code typeUrl}: error_detail INVALID_ARGUMENT with the message, version_info still the accepted "1". */
    private void awaitNack(String typeUrl, String message) {
        try {
            Awaitility.await("NACK of " + typeUrl).atMost(Duration.ofSeconds(10)).until(() -> requests.stream().anyMatch(r ->
                    r.getTypeUrl().equals(typeUrl) && r.hasErrorDetail() && r.getErrorDetail().getCode() == 3
                            && r.getErrorDetail().getMessage().startsWith(message) && r.getVersionInfo().equals("1")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no NACK of " + typeUrl + " with '" + message + "'; error details seen: "
                    + requests.stream().filter(DiscoveryRequest::hasErrorDetail).map(r -> r.getErrorDetail().getMessage()).toList(), e);
        }
    }

    private static String body(HttpClient client, HttpRequest req) {
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
