package dev.weft.proxy.xds;

import static dev.weft.proxy.xds.XdsResources.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.ProxyConfig;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against java-control-plane's ADS server, the same library the control plane uses. */
class XdsClientTest {
    private static final String TOKEN = "s3cret-token";
    private static final int APP_PORT = 8080;

    private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
    private final Queue<DiscoveryRequest> requests = new ConcurrentLinkedQueue<>();
    private final Queue<String> authorizations = new ConcurrentLinkedQueue<>();
    private final List<ProxyConfig> delivered = new CopyOnWriteArrayList<>();
    private Server server;
    private int port;
    private XdsClient client;
    @TempDir
    Path stateDir;

    @BeforeEach
    void startServer() throws Exception {
        startServer(0);
    }

    private void startServer(int onPort) throws Exception {
        V3DiscoveryServer xds = new V3DiscoveryServer(new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                requests.add(request);
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            }
        }, cache);
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                authorizations.add(String.valueOf(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER))));
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort))
                .addService(ServerInterceptors.intercept(xds.getAggregatedDiscoveryServiceImpl(), auth))
                .build()
                .start();
        port = server.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private XdsClient startClient() {
        XdsClientOptions options = XdsClientOptions.builder(new InetSocketAddress("127.0.0.1", port), "web", "web-1")
                .appPort(APP_PORT)
                .token(TOKEN)
                .stateDir(stateDir)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build();
        client = new XdsClient(options, delivered::add).start();
        return client;
    }

    private static final String NODE = "sidecar~127.0.0.1~web-1~default";

    private static Snapshot snapshot(String cdsV, String edsV, String ldsV, String rdsV, List<Cluster> clusters,
                                     List<ClusterLoadAssignment> endpoints, List<Listener> listeners) {
        return Snapshot.create(clusters, cdsV, endpoints, edsV, listeners, ldsV,
                List.of(outboundRoutes("catalog", "orders")), rdsV, List.of(), "1");
    }

    private static List<Cluster> clusters() {
        return List.of(edsCluster("catalog").build(), edsCluster("orders").setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).build(),
                staticCluster(APP_PORT));
    }

    private static List<Listener> listeners() {
        return List.of(outbound(15001), inbound(15006, 15006 == 0 ? 0 : APP_PORT));
    }

    private static List<ClusterLoadAssignment> endpoints(HealthStatus catalogHealth) {
        return List.of(
                cla("catalog", "z1", endpoint("10.0.0.1", 15006, catalogHealth, 1, true, "catalog-1"),
                        endpoint("10.0.0.2", 8081, HealthStatus.HEALTHY, 2, false, "catalog-2")),
                cla("orders", "z2", endpoint("10.0.0.3", 15006, HealthStatus.HEALTHY, 1, true, "orders-1")));
    }

    private ProxyConfig last() {
        return delivered.get(delivered.size() - 1);
    }

    @Test
    void deliversACompleteConfigThenAnEdsOnlyUpdate() {
        cache.setSnapshot(NODE, snapshot("1", "1", "1", "1", clusters(), endpoints(HealthStatus.HEALTHY), listeners()));
        startClient();

        await().atMost(Duration.ofSeconds(10)).until(() -> !delivered.isEmpty());
        ProxyConfig c = last();
        assertThat(delivered).hasSize(1);
        assertThat(c.clusters()).containsOnlyKeys("catalog", "orders", "inbound|8080");
        assertThat(c.cluster("catalog").endpoints()).hasSize(2);
        assertThat(c.cluster("catalog").endpoints().get(0).mesh()).isTrue();
        assertThat(c.cluster("orders").endpoints().get(0).zone()).isEqualTo("z2");
        assertThat(c.cluster("inbound|8080").endpoints().get(0).address().getPort()).isEqualTo(APP_PORT);
        assertThat(c.outbound().address().getPort()).isEqualTo(15001);
        assertThat(c.outbound().routes().match("orders").match("/").cluster()).isEqualTo("orders");
        assertThat(c.inbound().routes().match("x").match("/").cluster()).isEqualTo("inbound|8080");
        assertThat(c.version()).isEqualTo("cds=1 eds=1 lds=1 rds=1");

        // Identity, metadata, subscriptions and the token as the server saw them.
        DiscoveryRequest first = requests.peek();
        assertThat(first.getNode().getId()).isEqualTo(NODE);
        assertThat(first.getNode().getMetadata().getFieldsMap()).containsKeys("weft.service", "weft.bind",
                "weft.outbound_port", "weft.inbound_port", "weft.app_port", "weft.app_protocol");
        assertThat(first.getNode().getMetadata().getFieldsOrThrow("weft.app_port").getNumberValue()).isEqualTo(APP_PORT);
        assertThat(first.getNode().getMetadata().getFieldsOrThrow("weft.app_protocol").getStringValue()).isEqualTo("http1");
        assertThat(first.getTypeUrl()).isEqualTo(ResourceType.CDS.typeUrl);
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getTypeUrl()).isEqualTo(ResourceType.EDS.typeUrl);
            assertThat(r.getResourceNamesList()).containsExactly("catalog", "orders");
        });
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getTypeUrl()).isEqualTo(ResourceType.RDS.typeUrl);
            assertThat(r.getResourceNamesList()).containsExactly("weft-outbound");
        });
        assertThat(authorizations).containsOnly("Bearer " + TOKEN);
        await().until(() -> client.stats().updatesAccepted() == 4 && client.stats().connected());

        // EDS only: catalog-1 turns critical.
        cache.setSnapshot(NODE, snapshot("1", "2", "1", "1", clusters(), endpoints(HealthStatus.UNHEALTHY), listeners()));
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 2);
        assertThat(last().cluster("catalog").endpoints().get(0).health()).isEqualTo(EndpointHealth.UNHEALTHY);
        assertThat(last().version()).isEqualTo("cds=1 eds=2 lds=1 rds=1");
        assertThat(client.stats().nacks()).isZero();
        assertThat(client.configDumpJson()).contains("\"eds\":\"2\"", "\"clusterName\":\"catalog\"",
                "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
        assertThat(XdsClient.loadLastKnownGood(stateDir)).hasValueSatisfying(saved -> {
            assertThat(saved.clusters()).isEqualTo(last().clusters());
            assertThat(saved.outbound()).isEqualTo(last().outbound());
        });
    }

    @Test
    void rejectsUnsupportedResourcesAndKeepsThePreviousConfig() {
        cache.setSnapshot(NODE, snapshot("1", "1", "1", "1", clusters(), endpoints(HealthStatus.HEALTHY), listeners()));
        startClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
        ProxyConfig good = last();

        // Unknown cluster type.
        List<Cluster> bad = List.of(clusters().get(0), edsCluster("orders").setType(Cluster.DiscoveryType.STRICT_DNS).build(), clusters().get(2));
        cache.setSnapshot(NODE, snapshot("2", "1", "1", "1", bad, endpoints(HealthStatus.HEALTHY), listeners()));
        String clusterError = "Cluster 'orders': type: unsupported cluster type STRICT_DNS (the Weft sidecar supports EDS and STATIC)";
        await().atMost(Duration.ofSeconds(10)).until(() -> nackWith(ResourceType.CDS, "1", clusterError));
        assertThat(client.stats().lastNackError()).isEqualTo(clusterError);

        // Unsupported listener filter.
        Listener tcp = outbound(15001).toBuilder().setFilterChains(0, outbound(15001).getFilterChains(0).toBuilder()
                .setFilters(0, io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
                        .setTypedConfig(com.google.protobuf.Any.pack(com.google.protobuf.Empty.getDefaultInstance())))).build();
        cache.setSnapshot(NODE, snapshot("2", "1", "2", "1", bad, endpoints(HealthStatus.HEALTHY), List.of(tcp, listeners().get(1))));
        await().atMost(Duration.ofSeconds(10)).until(() -> nackWith(ResourceType.LDS, "1",
                "Listener 'weft-outbound': filter_chains[0].filters[0]: unsupported network filter 'envoy.filters.network.tcp_proxy'"));

        // Malformed endpoint (port 0).
        List<ClusterLoadAssignment> badEndpoints = List.of(cla("catalog", "z1", endpoint("10.0.0.9", 0, HealthStatus.HEALTHY, 1, true, "x")),
                endpoints(HealthStatus.HEALTHY).get(1));
        cache.setSnapshot(NODE, snapshot("2", "2", "2", "1", bad, badEndpoints, List.of(tcp, listeners().get(1))));
        await().atMost(Duration.ofSeconds(10)).until(() -> nackWith(ResourceType.EDS, "1",
                "ClusterLoadAssignment 'catalog': endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: must be between 1 and 65535, was 0"));

        assertThat(delivered).containsExactly(good);
        assertThat(client.current()).contains(good);
        long nacksSoFar = client.stats().nacks();
        assertThat(nacksSoFar).isGreaterThanOrEqualTo(3).isLessThan(20);

        // The next valid version is accepted.
        cache.setSnapshot(NODE, snapshot("3", "3", "3", "1", clusters(), endpoints(HealthStatus.DEGRADED), listeners()));
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 2);
        assertThat(last().cluster("catalog").endpoints().get(0).health()).isEqualTo(EndpointHealth.DEGRADED);
        await().until(() -> client.stats().versions().equals(java.util.Map.of("cds", "3", "eds", "3", "lds", "3", "rds", "1")));
    }

    private boolean nackWith(ResourceType type, String previousVersion, String messagePrefix) {
        return requests.stream().anyMatch(r -> r.getTypeUrl().equals(type.typeUrl) && r.hasErrorDetail()
                && r.getErrorDetail().getCode() == 3 && r.getErrorDetail().getMessage().startsWith(messagePrefix)
                && r.getVersionInfo().equals(previousVersion));
    }

    @Test
    void reconnectsAfterTheControlPlaneRestartsAndConverges() throws Exception {
        cache.setSnapshot(NODE, snapshot("1", "1", "1", "1", clusters(), endpoints(HealthStatus.HEALTHY), listeners()));
        startClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1 && client.stats().connected());
        ProxyConfig before = last();

        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.stats().connected());
        assertThat(client.current()).contains(before);

        requests.clear();
        cache.setSnapshot(NODE, snapshot("1", "5", "1", "1", clusters(), endpoints(HealthStatus.UNHEALTHY), listeners()));
        startServer(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 2);
        assertThat(last().cluster("catalog").endpoints().get(0).health()).isEqualTo(EndpointHealth.UNHEALTHY);
        assertThat(client.stats().streamsOpened()).isGreaterThanOrEqualTo(2);
        // Resubscribed with what it had: the server can skip unchanged types.
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getTypeUrl()).isEqualTo(ResourceType.CDS.typeUrl);
            assertThat(r.getVersionInfo()).isEqualTo("1");
            assertThat(r.getResponseNonce()).isEmpty();
        });
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getTypeUrl()).isEqualTo(ResourceType.EDS.typeUrl);
            assertThat(r.getVersionInfo()).isEqualTo("1");
            assertThat(r.getResponseNonce()).isEmpty();
        });
    }
}
