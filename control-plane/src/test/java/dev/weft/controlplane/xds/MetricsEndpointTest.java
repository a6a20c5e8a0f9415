package dev.weft.controlplane.xds;

import static dev.weft.controlplane.xds.XdsResources.Type.CDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.ControlPlane;
import dev.weft.controlplane.ControlPlaneConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics on a whole control plane, checked by Prometheus' own linter. */
class MetricsEndpointTest {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    Path dir;

    @Test
    void metricsPassPromtoolAndCountPushes() throws Exception {
        assertThat(PROMTOOL).as("promtool (Debian package 'prometheus') is required").isExecutable();
        ControlPlaneConfig config = new ControlPlaneConfig(dir, InetAddress.getLoopbackAddress(), 0, 0, 0, "weft",
                Duration.ofSeconds(5), "dc1", false);
        try (ControlPlane cp = ControlPlane.start(config)) {
            assertThat(cp.xdsPort()).isPositive();
            cp.registry().register(new Registration(new Instance("catalog", "c1", "127.0.0.1", 8080, 0, List.of(), Map.of(),
                    "", 1), List.of())).get(5, TimeUnit.SECONDS);
            try (AdsClient client = AdsClient.connect(cp.xdsPort(), AdsClient.sidecar("f1", Map.of()),
                    "authorization", "Bearer " + cp.token().value())) {
                client.request(CDS, List.of());
                client.next(CDS);

                HttpResponse<String> r = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(cp.httpUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
                String body = r.body();
                assertThat(body).contains(
                        "# HELP weft_xds_pushes_total", "weft_xds_pushes_total{type=\"cds\"} 1",
                        "weft_xds_pushes_total{type=\"eds\"} 0",
                        "# TYPE weft_xds_push_duration_seconds histogram", "weft_xds_push_duration_seconds_bucket",
                        "weft_xds_connected_proxies 1",
                        "weft_registry_services 1", "weft_registry_instances{status=\"passing\"} 1");
                assertThat(promtool(body)).as("promtool check metrics output").isEmpty();
            }
        }
    }

    /** Runs {@code promtool check metrics} on the text; returns its complaints and fails on a non-zero exit. */
    private static String promtool(String metrics) throws Exception {
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool exit code; output: %s", out).isZero();
        return out;
    }
}
