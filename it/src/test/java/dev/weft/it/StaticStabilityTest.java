package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static stability with separate processes: the control plane is killed with SIGKILL under
 * steady load and no request fails; a sidecar restarted while the control plane is still down
 * serves again from its last known good configuration; when the control plane returns, the
 * sidecars resubscribe and converge on a change made after the outage.
 */
class StaticStabilityTest {
    @TempDir
    Path dir;

    private final Fleet fleet = new Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    private int app(String name) {
        return fleet.app(name);
    }

    private WeftProcess controlPlane(int http, int xds) {
        WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(),
                "--http-port", String.valueOf(http), "--dns-port", "0", "--xds-port", String.valueOf(xds))).awaitReady();
        fleet.track(cp);
        return cp;
    }

    private WeftProcess sidecar(String service, String id, int appPort, int outbound, int http, int xds, String token) {
        WeftProcess p = WeftProcess.start(List.of("proxy", "--service", service, "--instance-id", id,
                "--app-port", String.valueOf(appPort), "--outbound-port", String.valueOf(outbound), "--inbound-port", "0",
                "--admin-port", "0", "--event-loops", "1", "--control-plane", "http://127.0.0.1:" + http,
                "--xds", "127.0.0.1:" + xds, "--state-dir", dir.resolve("state-" + id).toString(), "--health-interval", "300ms"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
        fleet.track(p);
        return p;
    }

    @Test
    void theMeshKeepsServingWhileTheControlPlaneIsAway() throws Exception {
        int http = Tools.freePort();
        int xds = Tools.freePort();
        WeftProcess cp = controlPlane(http, xds);
        String token = Files.readString(dir.resolve("cp/admin-token")).trim();
        sidecar("catalog", "catalog-1", app("catalog-1"), 0, http, xds, token);
        int clientPort = Tools.freePort();
        int clientApp = app("client-1");
        WeftProcess client = sidecar("client", "client-1", clientApp, clientPort, http, xds, token);
        HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", clientPort)))
                .connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest catalog = HttpRequest.newBuilder(URI.create("http://catalog/")).timeout(Duration.ofSeconds(2)).build();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> status(viaSidecar, catalog) == 200);

        // Steady load; every failure is counted.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean counting = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread load = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
            while (running.get() && System.nanoTime() < deadline) {
                int s = status(viaSidecar, catalog);
                if (counting.get()) {
                    (s == 200 ? ok : failed).incrementAndGet();
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "steady-load");
        load.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ok.get() >= 20);
            cp.kill();
            int before = ok.get();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= before + 100);
            assertThat(failed.get()).as("requests failed while the control plane was down").isZero();

            // The client's sidecar restarts while the control plane is still down: its own proxy is
            // gone meanwhile, so stop counting, and time how long until it serves again.
            counting.set(false);
            client.terminate();
            long restarted = System.nanoTime();
            WeftProcess again = sidecar("client", "client-1", clientApp, clientPort, http, xds, token);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(viaSidecar, catalog) == 200);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the restarted sidecar did not serve within 10 s; its log:\n" + again.stderr(), e);
            }
            Duration toServe = Duration.ofNanos(System.nanoTime() - restarted);
            assertThat(toServe).isLessThan(Duration.ofSeconds(10));
            assertThat(again.stderr()).contains("serving the last known good configuration");
            ok.set(0);
            failed.set(0);
            counting.set(true);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ok.get() >= 50);
            assertThat(failed.get()).isZero();

            // The control plane returns on the same ports and data dir; a change made now reaches the sidecars.
            controlPlane(http, xds);
            int catalog2 = app("catalog-2");
            assertThat(Http.put("http://127.0.0.1:" + http + "/api/v1/services/catalog/instances/catalog-2",
                    "{\"address\":\"127.0.0.1\",\"port\":" + catalog2 + "}", token).status()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> body(viaSidecar, catalog).equals("catalog-2"));
            assertThat(failed.get()).isZero();
        } finally {
            running.set(false);
            load.join(5000);
        }
        System.out.printf("static stability: %d requests ok, %d failed after the restart%n", ok.get(), failed.get());
    }

    private static int status(HttpClient client, HttpRequest req) {
        try {
            return client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(HttpClient client, HttpRequest req) {
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }
}
