package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh as separate processes: a control plane, two catalog instances each behind a
 * `weft proxy`, a client app's sidecar, and a plain instance without a sidecar. Discovery → xDS
 * → sidecar → balanced traffic, health taking an instance out, and the mesh's own errors, all
 * seen by real clients (JDK HttpClient through HTTP_PROXY-style proxying, curl).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeshEndToEndTest {
    private Path dir;
    private WeftProcess cp;
    private String token;
    private final List<WeftProcess> sidecars = new ArrayList<>();
    private final List<NamedApp> apps = new ArrayList<>();
    private final Map<String, Integer> health = new HashMap<>();
    private WeftProcess client;
    private WeftProcess catalogB;
    private HttpClient viaClientSidecar;
    private final String curl = Tools.require("curl", "curl");

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(), "--http-port", "0",
                "--dns-port", "0", "--xds-port", "0")).awaitReady();
        token = Files.readString(dir.resolve("cp/admin-token")).trim();
        sidecar("catalog", "catalog-a", app("catalog-a"));
        catalogB = sidecar("catalog", "catalog-b", app("catalog-b"));
        client = sidecar("client", "client-1", app("client-1"));
        // A plain instance: registered without a sidecar, reached on its app port.
        int legacy = app("legacy-1");
        assertThat(Http.put(cp.baseUrl() + "/api/v1/services/legacy/instances/legacy-1",
                "{\"address\":\"127.0.0.1\",\"port\":" + legacy + "}", token).status()).isEqualTo(200);
        viaClientSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", client.outboundPort())))
                .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        Awaitility.await("both catalog instances serving through the mesh").atMost(Duration.ofSeconds(30))
                .until(() -> seen(40).keySet().containsAll(List.of("catalog-a", "catalog-b")));
    }

    @AfterAll
    void stop() {
        sidecars.forEach(WeftProcess::close);
        if (cp != null) {
            cp.close();
        }
        apps.forEach(NamedApp::close);
    }

    private int app(String name) {
        health.put(name, 200);
        NamedApp a = NamedApp.start(name, () -> health.get(name));
        apps.add(a);
        return a.port();
    }

    private WeftProcess sidecar(String service, String id, int appPort) {
        WeftProcess p = WeftProcess.start(List.of("proxy", "--service", service, "--instance-id", id,
                "--app-port", String.valueOf(appPort), "--app-health-path", "/healthz",
                "--outbound-port", "0", "--inbound-port", "0", "--admin-port", "0", "--event-loops", "1",
                "--control-plane", cp.baseUrl(), "--xds", "127.0.0.1:" + cp.xdsPort(),
                "--state-dir", dir.resolve("state-" + id).toString(), "--health-interval", "300ms"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
        sidecars.add(p);
        return p;
    }

    private HttpResponse<String> get(String url) {
        try {
            return viaClientSidecar.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, Integer> seen(int requests) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = get("http://catalog/items");
            if (r.statusCode() == 200) {
                counts.merge(r.body(), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void trafficIsBalancedAcrossHealthyInstances() {
        Map<String, Integer> counts = seen(100);
        assertThat(counts.keySet()).containsExactlyInAnyOrder("catalog-a", "catalog-b");
        assertThat(counts.values()).allMatch(n -> n >= 30);
        // Origin form with a Host header, from curl, reaches the same service.
        String body = Tools.run(List.of(curl, "-s", "-H", "Host: catalog", "http://127.0.0.1:" + client.outboundPort() + "/"));
        assertThat(body).startsWith("catalog-");
        // And the service's DNS-style name routes too.
        assertThat(get("http://catalog.service.weft/").body()).startsWith("catalog-");
    }

    @Test
    void aPlainInstanceIsReachedOnItsAppPort() {
        HttpResponse<String> r = get("http://legacy/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("legacy-1");
    }

    @Test
    void anUnhealthyInstanceLeavesTheBalancerAndComesBack() {
        health.put("catalog-b", 500);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> seen(20).keySet().equals(java.util.Set.of("catalog-a")));
            assertThat(seen(50)).containsOnlyKeys("catalog-a");
        } finally {
            health.put("catalog-b", 200);
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> seen(20).containsKey("catalog-b"));
    }

    @Test
    void theMeshsOwnErrorsAreReadable() throws Exception {
        String unknown = Tools.run(List.of(curl, "-si", "-x", "http://127.0.0.1:" + client.outboundPort(), "http://nosuchservice/"));
        assertThat(unknown).startsWith("HTTP/1.1 503").containsIgnoringCase("x-weft-error: unknown_service").contains("nosuchservice");

        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(Http.put(cp.baseUrl() + "/api/v1/services/ghost/instances/ghost-1",
                "{\"address\":\"127.0.0.1\",\"port\":" + closed + "}", token).status()).isEqualTo(200);
        assertThat(Http.put(cp.baseUrl() + "/api/v1/services/down/instances/down-1",
                "{\"address\":\"127.0.0.1\",\"port\":9,\"checks\":[{\"type\":\"ttl\",\"ttl\":\"1m\"}]}", token).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get("http://ghost/").statusCode() == 502);
        HttpResponse<String> refused = get("http://ghost/");
        assertThat(refused.headers().firstValue("x-weft-error")).hasValue("upstream_connect_failed");
        assertThat(refused.body()).contains("ghost");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get("http://down/").statusCode() == 503);
        assertThat(get("http://down/").headers().firstValue("x-weft-error")).hasValue("no_healthy_upstream");

        String metrics = Http.get("http://127.0.0.1:" + client.adminPort() + "/metrics").body();
        assertThat(metrics).contains("reason=\"unknown_service\"").contains("reason=\"upstream_connect_failed\"")
                .contains("reason=\"no_healthy_upstream\"").contains("destination=\"catalog\"");
    }

    @Test
    void adminEndpointsDescribeTheSidecar() {
        assertThat(Http.get("http://127.0.0.1:" + catalogB.adminPort() + "/ready").status()).isEqualTo(200);
        JsonNode dump = Http.get("http://127.0.0.1:" + client.adminPort() + "/config_dump").json();
        assertThat(dump.toString()).contains("catalog").contains("weft-outbound");
        String clusters = Http.get("http://127.0.0.1:" + client.adminPort() + "/clusters").body();
        assertThat(clusters).contains("catalog-a").contains("catalog-b");
        JsonNode registered = Http.get(cp.baseUrl() + "/api/v1/services/catalog/instances").json();
        assertThat(registered.path("instances").findValuesAsText("mesh_port")).allMatch(p -> Integer.parseInt(p) > 0);
    }

    @Test
    void aStoppedSidecarDeregistersItsInstance() {
        int appPort;
        try {
            appPort = app("extra-1");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        WeftProcess extra = sidecar("extra", "extra-1", appPort);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                Http.get(cp.baseUrl() + "/api/v1/services/extra/instances").json().path("instances").size() == 1);
        extra.terminate();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    Http.get(cp.baseUrl() + "/api/v1/services/extra/instances").json().path("instances").isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the stopped sidecar's instance is still listed; its log:\n" + extra.stderr(), e);
        }
        assertThat(extra.stderr()).contains("sidecar stopped instance=extra-1").doesNotContain(token);
    }
}
