package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** `weft demo` starts, registers its sample application, answers DNS and HTTP, and stops cleanly on SIGTERM. */
class DemoTest {
    @Test
    void demoServesDiscoveryAndStopsCleanly() {
        String dig = Tools.require("dig", "dnsutils");
        try (WeftProcess demo = WeftProcess.start(List.of("demo", "--http-port", "0", "--dns-port", "0", "--xds-port", "0")).awaitReady()) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> demo.stdout().contains("Press Ctrl-C to stop."));
            assertThat(demo.stdout()).contains("dig @127.0.0.1 -p " + demo.dnsPort());
            List<String> digCmd = List.of(dig, "@127.0.0.1", "-p", String.valueOf(demo.dnsPort()), "+short",
                    "_catalog._tcp.service.weft", "SRV");
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Tools.lines(Tools.run(digCmd)).size() == 2);
            // inventory-2 fails its health check on purpose: only one inventory instance is served.
            List<String> inv = List.of(dig, "@127.0.0.1", "-p", String.valueOf(demo.dnsPort()), "+short",
                    "inventory.service.weft", "SRV");
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Tools.lines(Tools.run(inv)).size() == 1);
            var services = Http.get(demo.baseUrl() + "/api/v1/services").json().path("services");
            assertThat(services).hasSize(4);
            // SIGTERM: the JVM runs the shutdown hooks and exits with 128 + 15.
            assertThat(demo.terminate()).isEqualTo(143);
            assertThat(demo.stderr()).contains("control plane stopped");
        }
    }
}
