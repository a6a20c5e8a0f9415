package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.proxy.config.LbPolicy;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Sidecar#drain} on real sockets: one sidecar per test, since a drained sidecar stays drained. */
class SidecarDrainTest {
    private TestBackend backend;
    private Sidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        backend = new TestBackend("app");
        sidecar = Sidecar.start(Configs.testOptions());
        sidecar.apply(new Configs.Builder(sidecar).service(cluster("catalog", LbPolicy.ROUND_ROBIN, healthy(backend.port()))).build("1"));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        backend.close();
    }

    @Test
    void inFlightRequestCompletesWithConnectionCloseIdleConnectionClosesAndNewConnectionsAreRefused() throws Exception {
        try (RawHttp idle = new RawHttp(sidecar.outboundPort()); RawHttp slow = new RawHttp(sidecar.outboundPort())) {
            idle.send("GET /x HTTP/1.1\r\nHost: catalog\r\n\r\n");
            assertThat(idle.readResponse()).startsWith("HTTP/1.1 200");
            int before = backend.requests.get();
            slow.send("GET /slow HTTP/1.1\r\nHost: catalog\r\n\r\n");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests.get() > before);
            int port = sidecar.outboundPort();

            long start = System.nanoTime();
            CompletableFuture<Void> drained = sidecar.drain(Duration.ofSeconds(10));

            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .as("the listener is closed").isInstanceOf(ConnectException.class);
            RawHttp.Result idleEnd = idle.readToClose();
            assertThat(idleEnd.closed()).as("the idle keep-alive connection is closed").isTrue();
            assertThat(idleEnd.text()).isEmpty();
            assertThat(drained).as("still waiting for the slow request").isNotDone();

            RawHttp.Result slowEnd = slow.readToClose();
            assertThat(slowEnd.text()).startsWith("HTTP/1.1 200").endsWith("slow app");
            assertThat(slowEnd.text().toLowerCase()).contains("\r\nconnection: close\r\n");
            assertThat(slowEnd.closed()).isTrue();
            drained.get(5, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1000L, 5000L);
        }
    }

    @Test
    void http2StreamsInFlightFinishAfterGoaway() throws Exception {
        String h2load = ExternalTool.require("/usr/bin/h2load", "nghttp2-client");
        int before = backend.requests.get();
        // ten concurrent streams on one connection
        java.util.List<String> cmd = java.util.List.of(h2load, "-n", "10", "-c", "1", "-m", "10", "-H", ":authority: catalog",
                "http://127.0.0.1:" + sidecar.outboundPort() + "/slow");
        CompletableFuture<ExternalTool.Result> load = CompletableFuture.supplyAsync(() -> {
            try {
                return ExternalTool.run(cmd, 30);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests.get() >= before + 10);

        long start = System.nanoTime();
        CompletableFuture<Void> drained = sidecar.drain(Duration.ofSeconds(10));
        assertThat(drained).as("10 streams still in flight").isNotDone();
        ExternalTool.Result r = load.get(20, TimeUnit.SECONDS);
        assertThat(r.stdout()).as(r.stderr()).contains("10 succeeded, 0 failed").contains("status codes: 10 2xx");
        drained.get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(500L, 5000L);
    }

    @Test
    void connectionsStillBusyAtTheDrainTimeoutAreForceClosed() throws Exception {
        try (RawHttp slow = new RawHttp(sidecar.outboundPort())) {
            int before = backend.requests.get();
            slow.send("GET /slow HTTP/1.1\r\nHost: catalog\r\n\r\n");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests.get() > before);

            long start = System.nanoTime();
            sidecar.drain(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 1500L);
            RawHttp.Result end = slow.readToClose();
            assertThat(end.closed()).isTrue();
            assertThat(end.text()).isEmpty();
        }
    }

    @Test
    void drainWithNoConnectionsCompletesAtOnce() throws Exception {
        sidecar.drain(Duration.ofSeconds(10)).get(2, TimeUnit.SECONDS);
    }
}
