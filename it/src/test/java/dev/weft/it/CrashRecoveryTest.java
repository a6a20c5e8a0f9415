package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane is killed with SIGKILL in the middle of concurrent registrations; after a
 * restart every acknowledged registration is there, whole, and nothing half-written is.
 */
class CrashRecoveryTest {
    @TempDir
    Path dataDir;

    private List<String> args() {
        return List.of("control-plane", "--data-dir", dataDir.toString(), "--http-port", "0", "--dns-port", "0", "--xds-port", "0",
                "--insecure-no-auth");
    }

    @Test
    void everyAcknowledgedRegistrationSurvivesKillDashNine() throws Exception {
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicLong highestIndex = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        int writers = 8;
        try (WeftProcess cp = WeftProcess.start(args()).awaitReady()) {
            String base = cp.baseUrl();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            for (int w = 0; w < writers; w++) {
                int writer = w;
                pool.submit(() -> {
                    Instant deadline = Instant.now().plusSeconds(30);
                    for (int i = 0; !stop.get() && i < 100_000 && Instant.now().isBefore(deadline); i++) {
                        String id = "w" + writer + "-" + i;
                        int port = 1024 + (writer * 7919 + i) % 60000;
                        String body = "{\"address\":\"127.0.0." + (1 + writer) + "\",\"port\":" + port
                                + ",\"tags\":[\"w" + writer + "\"],\"meta\":{\"seq\":\"" + i + "\"}}";
                        try {
                            Http.Response r = Http.put(base + "/api/v1/services/svc" + (i % 20) + "/instances/" + id, body, null);
                            if (r.status() == 200) {
                                acknowledged.put(id, port);
                                highestIndex.accumulateAndGet(r.json().path("index").asLong(), Math::max);
                            }
                        } catch (RuntimeException e) {
                            return; // the process is gone: requests in flight were never acknowledged
                        }
                    }
                });
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 1500);
            cp.kill();
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(1500);

        try (WeftProcess cp = WeftProcess.start(args()).awaitReady()) {
            int found = 0;
            long maxIndexAfter = 0;
            for (int s = 0; s < 20; s++) {
                JsonNode body = Http.get(cp.baseUrl() + "/api/v1/services/svc" + s + "/instances").json();
                maxIndexAfter = Math.max(maxIndexAfter, body.path("index").asLong());
                for (JsonNode inst : body.path("instances")) {
                    String id = inst.path("id").asText();
                    int writer = Integer.parseInt(id.substring(1, id.indexOf('-')));
                    int seq = Integer.parseInt(id.substring(id.indexOf('-') + 1));
                    // Whole records only: every field is what its writer sent.
                    assertThat(inst.path("address").asText()).isEqualTo("127.0.0." + (1 + writer));
                    assertThat(inst.path("port").asInt()).isEqualTo(1024 + (writer * 7919 + seq) % 60000);
                    assertThat(inst.path("tags").get(0).asText()).isEqualTo("w" + writer);
                    assertThat(inst.path("meta").path("seq").asText()).isEqualTo(String.valueOf(seq));
                    found++;
                    acknowledged.remove(id);
                }
            }
            assertThat(acknowledged).as("acknowledged registrations lost by the crash").isEmpty();
            assertThat(found).isGreaterThanOrEqualTo(1500);
            // Indexes never go backwards across the crash.
            JsonNode health = Http.get(cp.baseUrl() + "/api/v1/health").json();
            assertThat(health.path("index").asLong()).isGreaterThanOrEqualTo(highestIndex.get());
        }
    }

    @Test
    void healthStatusSurvivesARestartAndTtlChecksGetAFreshWindow() throws Exception {
        String body = "{\"address\":\"127.0.0.1\",\"port\":8080,\"checks\":[{\"id\":\"web-ttl\",\"type\":\"ttl\",\"ttl\":\"3s\"}]}";
        try (WeftProcess cp = WeftProcess.start(args()).awaitReady()) {
            assertThat(Http.put(cp.baseUrl() + "/api/v1/services/web/instances/web-1", body, null).status()).isEqualTo(200);
            assertThat(Http.put(cp.baseUrl() + "/api/v1/checks/web-ttl/status", "{\"status\":\"passing\"}", null).status())
                    .isEqualTo(200);
            cp.kill();
        }
        try (WeftProcess cp = WeftProcess.start(args()).awaitReady()) {
            // Restored as passing, not critical, right after the restart.
            JsonNode inst = Http.get(cp.baseUrl() + "/api/v1/services/web/instances").json().path("instances").get(0);
            assertThat(inst.path("status").asText()).isEqualTo("passing");
            // Without reports the fresh window runs out and the check turns critical.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(cp.baseUrl() + "/api/v1/services/web/instances")
                    .json().path("instances").get(0).path("status").asText().equals("critical"));
        }
    }
}
