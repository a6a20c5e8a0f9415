package dev.weft.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.proxy.Sidecar;
import dev.weft.proxy.SidecarOptions;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin listener as an operator and Prometheus use it: /ready, /metrics (through promtool), /config_dump, /clusters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private com.sun.net.httpserver.HttpServer app;
    private Sidecar sidecar;

    @BeforeAll
    void start() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        app = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        app.createContext("/", ex -> {
            byte[] b = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        app.start();
        sidecar = Sidecar.start(SidecarOptions.defaults().withPorts(0, 0, 0).withEventLoopThreads(2));
    }

    @AfterAll
    void stop() {
        sidecar.close();
        app.stop(0);
    }

    private ProxyConfig config() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        Endpoint up = new Endpoint(new InetSocketAddress(lo, app.getAddress().getPort()), EndpointHealth.HEALTHY, 3, "zone-a", false, "catalog-1");
        Endpoint down = new Endpoint(new InetSocketAddress(lo, 1), EndpointHealth.UNHEALTHY, 1, "zone-b", true, "catalog-2");
        ClusterConfig catalog = new ClusterConfig("catalog", LbPolicy.LEAST_REQUEST, Duration.ofSeconds(1), Duration.ofSeconds(60), 0, List.of(up, down));
        ListenerSpec out = new ListenerSpec("weft-outbound", new InetSocketAddress(lo, sidecar.outboundPort()), new RouteTable("weft-outbound",
                List.of(new VirtualHost("catalog", List.of("catalog"), List.of(new Route("/", "catalog", Duration.ofSeconds(15)))))));
        return new ProxyConfig("v7", Map.of("catalog", catalog), out, null);
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessFollowsConfigAndAppHealth() throws Exception {
        try (Sidecar fresh = Sidecar.start(SidecarOptions.defaults().withPorts(0, 0, 0).withEventLoopThreads(1))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fresh.adminPort() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("not ready: no configuration with an outbound listener has been applied\n");
        }
        sidecar.apply(config());
        assertThat(admin("/ready").statusCode()).isEqualTo(200);
        sidecar.setAppHealthy(false);
        HttpResponse<String> r = admin("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("not ready: the local app is not healthy\n");
        sidecar.setAppHealthy(true);
        assertThat(admin("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void configDumpAndClustersShowTheConfigInEffect() throws Exception {
        sidecar.apply(config());
        JsonNode dump = json.readTree(admin("/config_dump").body());
        assertThat(dump.path("version").asText()).isEqualTo("v7");
        assertThat(dump.path("outbound").path("virtual_hosts").get(0).path("routes").get(0).path("cluster").asText()).isEqualTo("catalog");
        assertThat(dump.path("clusters").get(0).path("endpoints")).hasSize(2);
        assertThat(dump.path("clusters").get(0).path("protocol").asText()).isEqualTo("HTTP1");
        JsonNode lb = dump.path("clusters").get(0).path("lb_config");
        assertThat(lb.path("healthy_panic_threshold").asDouble()).isEqualTo(50.0);
        assertThat(lb.path("maglev_table_size").asInt()).isEqualTo(65537);
        assertThat(lb.path("slow_start_window_ms").asLong()).isZero();

        JsonNode clusters = json.readTree(admin("/clusters").body());
        JsonNode c = clusters.path("clusters").get(0);
        assertThat(c.path("name").asText()).isEqualTo("catalog");
        assertThat(c.path("balancer").asText()).isEqualTo("least_request_p2c");
        JsonNode e0 = c.path("endpoints").get(0);
        assertThat(e0.path("health").asText()).isEqualTo("HEALTHY");
        assertThat(e0.path("weight").asInt()).isEqualTo(3);
        assertThat(e0.path("zone").asText()).isEqualTo("zone-a");
        assertThat(e0.has("active_requests")).isTrue();
        assertThat(c.path("endpoints").get(1).path("health").asText()).isEqualTo("UNHEALTHY");
    }

    @Test
    void metricsCountRequestsByReasonAndPassPromtool() throws Exception {
        sidecar.apply(config());
        HttpClient viaProxy = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), sidecar.outboundPort()))).build();
        for (int i = 0; i < 3; i++) {
            assertThat(viaProxy.send(HttpRequest.newBuilder(URI.create("http://catalog/x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
        assertThat(viaProxy.send(HttpRequest.newBuilder(URI.create("http://nosuch/x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(503);
        String metrics = admin("/metrics").body();
        assertThat(metrics)
                .contains("weft_requests_total{code=\"200\",destination=\"catalog\",direction=\"outbound\",reason=\"none\"} 3")
                .contains("weft_requests_total{code=\"503\",destination=\"unknown\",direction=\"outbound\",reason=\"unknown_service\"} 1")
                .contains("weft_request_duration_seconds_bucket{destination=\"catalog\",direction=\"outbound\",le=\"+Inf\"} 3")
                .contains("weft_active_connections{listener=\"outbound\"}")
                .contains("weft_upstream_connections{cluster=\"catalog\"} 1")
                .containsPattern("(?m)^weft_netty_direct_memory_bytes [0-9.eE+]+$")
                .containsPattern("(?m)^weft_jvm_direct_buffer_bytes [0-9.eE+]+$");

        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool output: %s", out).isZero();
    }
}
