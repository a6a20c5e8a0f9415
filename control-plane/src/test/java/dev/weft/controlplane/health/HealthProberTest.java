package dev.weft.controlplane.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.registry.CheckState;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.store.SqliteStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Active checks against real sockets: an HTTP server whose answer the test changes, and TCP ports. */
class HealthProberTest {
    @TempDir
    Path dir;

    private SqliteStore store;
    private Registry registry;
    private HealthProber prober;
    private HttpServer app;
    private volatile int status = 200;
    private volatile long delayMs;

    @BeforeEach
    void start() throws Exception {
        store = SqliteStore.open(dir, Clock.systemUTC());
        registry = Registry.open(store, Clock.systemUTC(), Duration.ofMillis(100));
        prober = new HealthProber(registry).start();
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        app.createContext("/healthz", ex -> {
            try {
                Thread.sleep(delayMs); // the app is slow on purpose: this runs on the app's thread, not the prober's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("status " + status).getBytes();
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        app.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        app.start();
    }

    @AfterEach
    void stop() {
        prober.close();
        registry.close();
        store.close();
        app.stop(0);
    }

    private void register(CheckSpec check) throws Exception {
        registry.register(new Registration(new Instance("web", "web-1", "127.0.0.1", 8080, 0, List.of(), Map.of(), "", 1),
                List.of(check))).get(5, TimeUnit.SECONDS);
    }

    private CheckState state() {
        return registry.service("web").orElseThrow().instances().get(0).checks().get(0);
    }

    private void awaitStatus(HealthStatus expected) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state().status() == expected);
    }

    @Test
    void httpCheckFollowsTheAppsAnswers() throws Exception {
        String url = "http://127.0.0.1:" + app.getAddress().getPort() + "/healthz";
        register(new CheckSpec("web-http", null, CheckType.HTTP, null, url, null, Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ZERO, null));
        awaitStatus(HealthStatus.PASSING);
        assertThat(state().output()).contains("200").contains("status 200");
        status = 429;
        awaitStatus(HealthStatus.WARNING);
        status = 503;
        awaitStatus(HealthStatus.CRITICAL);
        status = 200;
        awaitStatus(HealthStatus.PASSING);
        delayMs = 2000;
        awaitStatus(HealthStatus.CRITICAL);
        assertThat(state().output()).contains("timed out");
    }

    @Test
    void httpCheckOfAClosedPortIsCritical() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        register(new CheckSpec("web-http", null, CheckType.HTTP, null, "http://127.0.0.1:" + closed + "/", null,
                Duration.ofMillis(100), Duration.ofMillis(500), Duration.ZERO, HealthStatus.PASSING));
        awaitStatus(HealthStatus.CRITICAL);
    }

    @Test
    void tcpCheckPassesWhileThePortAcceptsAndFailsOnceItCloses() throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        int port = listener.getLocalPort();
        register(new CheckSpec("web-tcp", null, CheckType.TCP, null, null, "127.0.0.1:" + port, Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ZERO, null));
        awaitStatus(HealthStatus.PASSING);
        listener.close();
        awaitStatus(HealthStatus.CRITICAL);
        assertThat(state().output()).startsWith("TCP connect 127.0.0.1:" + port);
    }

    @Test
    void deregisteredChecksStopBeingProbed() throws Exception {
        String url = "http://127.0.0.1:" + app.getAddress().getPort() + "/healthz";
        register(new CheckSpec("web-http", null, CheckType.HTTP, null, url, null, Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ZERO, null));
        awaitStatus(HealthStatus.PASSING);
        registry.deregister("web-1").get(5, TimeUnit.SECONDS);
        long index = registry.index();
        status = 500;
        // Give the old schedule several intervals to misbehave; nothing may change the catalog.
        Awaitility.await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(registry.index()).isEqualTo(index);
    }
}
