package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * `weft demo` starts a whole mesh (control plane, six instances each behind a sidecar, traffic),
 * answers through the sidecars, DNS and HTTP, and stops cleanly on SIGTERM.
 */
class DemoTest {
    @Test
    void demoServesAWholeMeshAndStopsCleanly() {
        String dig = Tools.require("dig", "dnsutils");
        String curl = Tools.require("curl", "curl");
        long started = System.nanoTime();
        try (WeftProcess demo = WeftProcess.start(List.of("demo", "--http-port", "0", "--dns-port", "0", "--xds-port", "0")).awaitReady()) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> demo.stdout().contains("Press Ctrl-C to stop."));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
            assertThat(demo.stdout()).doesNotContain("did not answer through the mesh");
            Matcher m = Pattern.compile("curl -s -x (http://127\\.0\\.0\\.1:\\d+) http://frontend/").matcher(demo.stdout());
            assertThat(m.find()).as(demo.stdout()).isTrue();
            String answer = Tools.run(List.of(curl, "-s", "-x", m.group(1), "http://frontend/"));
            // frontend -> catalog -> inventory and frontend -> ratings, every hop through a sidecar.
            assertThat(answer).contains("\"service\":\"frontend\"").contains("\"service\":\"catalog\"")
                    .contains("\"service\":\"inventory\"").contains("\"service\":\"ratings\"").doesNotContain("\"status\":5");
            // inventory-2 fails its health check on purpose: DNS serves only inventory-1.
            List<String> inv = List.of(dig, "@127.0.0.1", "-p", String.valueOf(demo.dnsPort()), "+short",
                    "inventory.service.weft", "SRV");
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Tools.lines(Tools.run(inv)).size() == 1);
            var services = Http.get(demo.baseUrl() + "/api/v1/services").json().path("services");
            assertThat(services).hasSize(5); // frontend, catalog, inventory, ratings, loadgen
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> demo.stderr().contains("demo traffic to=frontend"));
            assertThat(demo.stderr()).containsPattern("demo traffic to=frontend ok=[1-9]\\d* failed=0");
            // SIGTERM: the JVM runs the shutdown hooks and exits with 128 + 15.
            assertThat(demo.terminate()).isEqualTo(143);
            assertThat(demo.stderr()).contains("control plane stopped").contains("sidecar stopped instance=frontend-1");
        }
    }
}
