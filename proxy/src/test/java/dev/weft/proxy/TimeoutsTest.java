package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.LbPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Header-read and idle timeouts on real sockets, with both set to 1 s. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeoutsTest {
    private TestBackend backend;
    private Sidecar sidecar;

    @BeforeAll
    void start() throws Exception {
        backend = new TestBackend("app");
        sidecar = Sidecar.start(Configs.testOptions().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        sidecar.apply(new Configs.Builder(sidecar).service(cluster("catalog", LbPolicy.ROUND_ROBIN, healthy(backend.port()))).build("1"));
    }

    @AfterAll
    void stop() {
        sidecar.close();
        backend.close();
    }

    @Test
    void slowlorisIsCutAtTheHeaderReadTimeout() throws Exception {
        String head = "GET /x HTTP/1.1\r\nHost: catalog\r\nX-Slow: " + "s".repeat(100) + "\r\n\r\n";
        ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        int before = backend.requests.get();
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            long start = System.nanoTime();
            dribbler.scheduleAtFixedRate(() -> {
                int i = sent.getAndIncrement();
                try {
                    raw.send(String.valueOf(head.charAt(i)));
                } catch (IOException | StringIndexOutOfBoundsException e) {
                    throw new IllegalStateException(e); // stops the schedule
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            RawHttp.Result r = raw.readToClose();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.text()).startsWith("HTTP/1.1 408").contains("x-weft-error: header_timeout").contains("connection: close");
            assertThat(r.closed()).isTrue();
            assertThat(ms).isBetween(900L, 2500L);
            assertThat(sent.get()).isLessThan(head.length());
        } finally {
            dribbler.shutdownNow();
        }
        assertThat(backend.requests.get()).isEqualTo(before);
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            raw.send("GET /x HTTP/1.1\r\nHost: catalog\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
            long start = System.nanoTime();
            RawHttp.Result r = raw.readToClose();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.closed()).isTrue();
            assertThat(r.text()).isEmpty();
            assertThat(ms).isBetween(800L, 2500L);
        }
    }

    @Test
    void silentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            RawHttp.Result r = raw.readToClose();
            assertThat(r.closed()).isTrue();
            assertThat(r.text()).isEmpty();
        }
    }

    @Test
    void idleHttp2ConnectionGetsGoawayAfterTheIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            raw.socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            long start = System.nanoTime();
            RawHttp.Result r = raw.readToClose();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.closed()).isTrue();
            byte[] bytes = r.text().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            // the server's frames end with GOAWAY (type 7, 8-byte payload) whose error code is NO_ERROR
            assertThat(bytes.length).isGreaterThanOrEqualTo(17);
            int g = bytes.length - 17;
            assertThat(bytes[g + 3]).as("frame type").isEqualTo((byte) 7);
            assertThat(java.util.Arrays.copyOfRange(bytes, g + 13, g + 17)).containsExactly(0, 0, 0, 0);
            assertThat(ms).isBetween(800L, 2500L);
        }
    }
}
