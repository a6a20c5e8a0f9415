package dev.weft.controlplane.xds;

import static dev.weft.controlplane.xds.XdsResources.Type.CDS;
import static dev.weft.controlplane.xds.XdsResources.Type.EDS;
import static dev.weft.controlplane.xds.XdsResources.Type.LDS;
import static dev.weft.controlplane.xds.XdsResources.Type.RDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.http.AdminToken;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.store.SqliteStore;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The xDS server on a real port, over a real registry and store, driven by a raw ADS client. */
class XdsServerTest {
    @TempDir
    Path dir;

    private SqliteStore store;
    private Registry registry;
    private AdminToken token;
    private XdsServer xds;

    @BeforeEach
    void start() throws Exception {
        store = SqliteStore.open(dir.resolve("store"), Clock.systemUTC());
        registry = Registry.open(store, Clock.systemUTC(), Duration.ZERO);
        token = AdminToken.loadOrCreate(dir);
        register(instance("catalog", "c1", "10.0.0.1", 8080, "zone-a"), "c1-ttl");
        register(instance("catalog", "c2", "10.0.0.2", 8080, "zone-b"), null);
        register(instance("ratings", "r1", "10.0.0.3", 9090, ""), null);
        xds = XdsServer.start(new XdsConfig(InetAddress.getLoopbackAddress(), 0, "weft", false, Duration.ofMillis(20)),
                registry, token, new PrometheusRegistry());
    }

    @AfterEach
    void stop() {
        xds.close();
        registry.close();
        store.close();
    }

    private static Instance instance(String service, String id, String address, int port, String zone) {
        return new Instance(service, id, address, port, 0, List.of(), Map.of(), zone, 1);
    }

    private void register(Instance i, String ttlCheck) throws Exception {
        List<CheckSpec> checks = ttlCheck == null ? List.of()
                : List.of(new CheckSpec(ttlCheck, null, CheckType.TTL, Duration.ofHours(1), null, null, null, null,
                        Duration.ZERO, HealthStatus.PASSING));
        registry.register(new Registration(i, checks)).get(5, TimeUnit.SECONDS);
    }

    private AdsClient sidecar(String instanceId) {
        Node node = AdsClient.sidecar(instanceId, Map.of(
                NodeInfo.KEY_SERVICE, AdsClient.string("frontend"),
                NodeInfo.KEY_APP_PORT, AdsClient.number(7070),
                NodeInfo.KEY_INBOUND_PORT, AdsClient.number(16006)));
        return AdsClient.connect(xds.port(), node, "authorization", "Bearer " + token.value());
    }

    private static <T extends com.google.protobuf.Message> List<T> resources(DiscoveryResponse r, Class<T> type) {
        return r.getResourcesList().stream().map(a -> SnapshotBuilderTest.unpack(a, type)).toList();
    }

    private static io.envoyproxy.envoy.config.core.v3.HealthStatus health(DiscoveryResponse eds, String cluster, String instanceId) {
        return resources(eds, ClusterLoadAssignment.class).stream()
                .filter(c -> c.getClusterName().equals(cluster))
                .flatMap(c -> c.getEndpointsList().stream())
                .flatMap(l -> l.getLbEndpointsList().stream())
                .filter(e -> e.getMetadata().getFilterMetadataOrThrow("weft").getFieldsOrThrow("instance_id").getStringValue().equals(instanceId))
                .findFirst().orElseThrow().getHealthStatus();
    }

    @Test
    void sidecarGetsEverythingThenOnlyTheTypesThatChanged() throws Exception {
        XdsMetrics metrics = xds.publisher().metrics();
        try (AdsClient client = sidecar("f1")) {
            client.request(CDS, List.of());
            client.request(LDS, List.of());
            var first = client.next(Set.of(CDS, LDS));
            assertThat(resources(first.get(CDS), Cluster.class)).extracting(Cluster::getName)
                    .containsExactly("catalog", "ratings", "inbound|7070");
            assertThat(resources(first.get(LDS), Listener.class)).extracting(Listener::getName)
                    .containsExactly("weft-outbound", "weft-inbound");
            client.ack(first.get(CDS), List.of());
            client.ack(first.get(LDS), List.of());
            List<String> clusters = List.of("catalog", "ratings");
            client.request(EDS, clusters);
            client.request(RDS, List.of("weft-outbound"));
            var second = client.next(Set.of(EDS, RDS));
            DiscoveryResponse eds = second.get(EDS);
            assertThat(health(eds, "catalog", "c1")).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY);
            client.ack(eds, clusters);
            client.ack(second.get(RDS), List.of("weft-outbound"));
            long cdsPushes = metrics.pushes(CDS);

            // A health change: EDS only, with a new version.
            registry.reportTtl("c1-ttl", HealthStatus.CRITICAL, "down").get(5, TimeUnit.SECONDS);
            DiscoveryResponse eds2 = client.next(EDS);
            assertThat(eds2.getVersionInfo()).isNotEqualTo(eds.getVersionInfo());
            assertThat(health(eds2, "catalog", "c1")).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.UNHEALTHY);
            client.ack(eds2, clusters);
            // Another EDS-only change: its response comes next on the ordered stream, so nothing else was sent.
            registry.reportTtl("c1-ttl", HealthStatus.WARNING, "slow").get(5, TimeUnit.SECONDS);
            DiscoveryResponse eds3 = client.next(EDS);
            assertThat(health(eds3, "catalog", "c1")).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.DEGRADED);
            client.ack(eds3, clusters);
            assertThat(metrics.pushes(CDS)).isEqualTo(cdsPushes);

            // A new service: a cluster, its endpoints and a virtual host; the listeners stay as they were.
            register(instance("inventory", "i1", "10.0.0.4", 7000, ""), null);
            var third = client.next(Set.of(CDS, EDS, RDS));
            assertThat(third.get(CDS).getVersionInfo()).isNotEqualTo(first.get(CDS).getVersionInfo());
            assertThat(resources(third.get(CDS), Cluster.class)).extracting(Cluster::getName).contains("inventory");
            assertThat(third.get(RDS).getVersionInfo()).isNotEqualTo(second.get(RDS).getVersionInfo());
            client.ack(third.get(CDS), List.of());
            client.ack(third.get(RDS), List.of("weft-outbound"));
            List<String> withInventory = List.of("catalog", "inventory", "ratings");
            client.ack(third.get(EDS), withInventory);
            DiscoveryResponse eds4 = client.next(EDS); // the newly named cluster's endpoints
            assertThat(resources(eds4, ClusterLoadAssignment.class)).extracting(ClusterLoadAssignment::getClusterName)
                    .containsExactly("catalog", "inventory", "ratings");
            client.ack(eds4, withInventory);
            registry.reportTtl("c1-ttl", HealthStatus.PASSING, "").get(5, TimeUnit.SECONDS);
            assertThat(health(client.next(EDS), "catalog", "c1")).isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY);
            assertThat(metrics.pushes(LDS)).isEqualTo(1);
        }
    }

    @Test
    void laterNodesAreServedAtOnceAndStreamsAreCounted() throws Exception {
        try (AdsClient a = sidecar("f1")) {
            a.request(CDS, List.of());
            a.next(CDS);
            assertThat(xds.connectedStreams()).isEqualTo(1);
            register(instance("inventory", "i1", "10.0.0.4", 7000, ""), null);
            try (AdsClient b = AdsClient.connect(xds.port(), Node.newBuilder().setId("grpc-client-1").build(),
                    "x-weft-token", token.value())) {
                b.request(LDS, List.of("inventory"));
                DiscoveryResponse lds = b.next(LDS);
                assertThat(resources(lds, Listener.class)).extracting(Listener::getName).containsExactly("inventory");
                assertThat(resources(lds, Listener.class).get(0).hasApiListener()).isTrue();
                assertThat(xds.connectedStreams()).isEqualTo(2);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> xds.connectedStreams() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !xds.publisher().cachedNodes().contains("grpc-client-1"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> xds.connectedStreams() == 0);
    }

    @Test
    void sidecarWithBadMetadataStillGetsConfiguration() throws Exception {
        Node node = AdsClient.sidecar("f2", Map.of(NodeInfo.KEY_APP_PORT, AdsClient.string("eighty"),
                NodeInfo.KEY_OUTBOUND_PORT, AdsClient.number(-1)));
        try (AdsClient client = AdsClient.connect(xds.port(), node, "x-weft-token", token.value())) {
            client.request(LDS, List.of());
            List<Listener> listeners = resources(client.next(LDS), Listener.class);
            assertThat(listeners).extracting(Listener::getName).containsExactly("weft-outbound");
            assertThat(listeners.get(0).getAddress().getSocketAddress().getPortValue()).isEqualTo(15001);
        }
    }

    @Test
    void streamsWithoutTheTokenAreRefused() throws Exception {
        Node node = AdsClient.sidecar("f3", Map.of());
        try (AdsClient none = AdsClient.connect(xds.port(), node, null, null)) {
            none.request(CDS, List.of());
            Status s = none.awaitClosed();
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(s.getDescription()).contains("authorization: Bearer").doesNotContain(token.value());
        }
        try (AdsClient wrong = AdsClient.connect(xds.port(), node, "authorization", "Bearer not-the-token")) {
            wrong.request(CDS, List.of());
            Status s = wrong.awaitClosed();
            assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(s.getDescription()).contains("not valid");
        }
        try (AdsClient wrong = AdsClient.connect(xds.port(), node, "x-weft-token", "nope")) {
            wrong.request(CDS, List.of());
            assertThat(wrong.awaitClosed().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        }
    }

    @Test
    void requestsWithoutNodeIdAreRefusedWithAReason() throws Exception {
        try (AdsClient client = AdsClient.connect(xds.port(), Node.getDefaultInstance(), "x-weft-token", token.value())) {
            client.request(CDS, List.of());
            Status s = client.awaitClosed();
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("node.id");
        }
    }
}
