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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain with separate processes: a rolling restart of both `catalog` sidecars (SIGTERM,
 * wait for exit, start a new one, wait until callers use it) under steady load through a client
 * sidecar loses no request.
 */
class GracefulDrainTest {
    private static final int THREADS = 4;

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

    private WeftProcess sidecar(String service, String id, int appPort, int outbound, int http, int xds, String token) {
        WeftProcess p = WeftProcess.start(List.of("proxy", "--service", service, "--instance-id", id,
                "--app-port", String.valueOf(appPort), "--outbound-port", String.valueOf(outbound), "--inbound-port", "0",
                "--admin-port", "0", "--event-loops", "2", "--control-plane", "http://127.0.0.1:" + http,
                "--xds", "127.0.0.1:" + xds, "--state-dir", dir.resolve("state-" + id + "-" + System.nanoTime()).toString(),
                "--health-interval", "300ms", "--drain-propagation", "1s", "--drain-timeout", "5s"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
        fleet.track(p);
        return p;
    }

    @Test
    void rollingRestartUnderLoadLosesNoRequest() throws Exception {
        int http = Tools.freePort();
        int xds = Tools.freePort();
        WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(),
                "--http-port", String.valueOf(http), "--dns-port", "0", "--xds-port", String.valueOf(xds))).awaitReady();
        fleet.track(cp);
        String token = Files.readString(dir.resolve("cp/admin-token")).trim();
        int[] catalogApps = {app("catalog-1"), app("catalog-2")};
        WeftProcess[] catalog = {
            sidecar("catalog", "catalog-1", catalogApps[0], 0, http, xds, token),
            sidecar("catalog", "catalog-2", catalogApps[1], 0, http, xds, token)};
        int clientPort = Tools.freePort();
        sidecar("client", "client-1", app("client-1"), clientPort, http, xds, token);

        HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", clientPort)))
                .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://catalog/items")).timeout(Duration.ofSeconds(5)).build();
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        Awaitility.await("both catalog instances serve through the client sidecar").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    send(viaSidecar, request, lastSeen);
                    return lastSeen.size() == 2;
                });

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> load = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                while (running.get() && System.nanoTime() < deadline) {
                    String failure = send(viaSidecar, request, lastSeen);
                    if (failure == null) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        failures.add(failure);
                    }
                }
            }, "load-" + t);
            th.start();
            load.add(th);
        }
        int restarts = 0;
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ok.get() >= 100);
            for (int i = 0; i < 2; i++) {
                String id = "catalog-" + (i + 1);
                int exit = catalog[i].terminate();
                assertThat(exit).as(id + " exit code after SIGTERM (128 + 15: the JVM's status for a signal, hooks run)").isEqualTo(143);
                assertThat(catalog[i].stderr()).contains("drain: deregistered").contains("drain: listeners closed")
                        .contains("sidecar stopped instance=" + id);
                catalog[i].stderr().lines().filter(l -> l.contains("drain") || l.contains("deregister") || l.contains("stopped"))
                        .forEach(l -> System.out.println(id + ": " + l));
                long restarted = System.nanoTime();
                catalog[i] = sidecar("catalog", id, catalogApps[i], 0, http, xds, token);
                Awaitility.await(id + " serves through the client sidecar again").atMost(Duration.ofSeconds(20))
                        .until(() -> lastSeen.getOrDefault(id, 0L) > restarted);
                restarts++;
            }
            int after = ok.get();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ok.get() >= after + 100);
        } finally {
            running.set(false);
            for (Thread th : load) {
                th.join(10_000);
            }
        }
        System.out.printf("graceful drain: %d requests ok, %d failed, %d restarts%n", ok.get(), failed.get(), restarts);
        assertThat(restarts).isEqualTo(2);
        assertThat(failures).as("failed requests out of %d", ok.get() + failed.get()).isEmpty();
        assertThat(failed.get()).isZero();
    }

    /** Null on a 200 (and notes which instance answered), else what went wrong. */
    private static String send(HttpClient client, HttpRequest req, Map<String, Long> lastSeen) {
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return r.statusCode() + " " + r.headers().firstValue("x-weft-error").orElse("") + " " + r.body().trim();
            }
            lastSeen.put(r.body(), System.nanoTime());
            return null;
        } catch (Exception e) {
            return e.toString();
        }
    }
}
