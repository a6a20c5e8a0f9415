package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.LbPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster connect timeout on a real socket: an upstream whose TCP handshake never completes (docs/proxy.md,
 * "Timeouts": connect → {@code 504 upstream_timeout}).
 *
 * <p>The upstream is a listening socket with backlog 1 that never accepts. Once its accept queue is full, Linux drops
 * further SYNs (with {@code net.ipv4.tcp_abort_on_overflow = 0}, the default), so a connect to it neither succeeds nor
 * is refused: it hangs until the connector gives up. The test checks that with a plain {@link Socket#connect} before
 * relying on it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamConnectTimeoutTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void connectThatNeverCompletesIs504UpstreamTimeoutAndTheSidecarKeepsServing() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket blackhole = new ServerSocket(0, 1, LO);
             TestBackend app = new TestBackend("app");
             Sidecar sidecar = Sidecar.start(Configs.testOptions())) {
            int port = blackhole.getLocalPort();
            fillAcceptQueue(blackhole, fillers);
            assertConnectHangs(port);

            sidecar.apply(new Configs.Builder(sidecar)
                    .service(new ClusterConfig("blackhole", LbPolicy.ROUND_ROBIN, Duration.ofMillis(300), Duration.ofSeconds(60), 0,
                            List.of(healthy(port))))
                    .service(cluster("app", LbPolicy.ROUND_ROBIN, healthy(app.port())))
                    .build("1"));

            try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
                for (int i = 0; i < 2; i++) { // twice: a failed connect leaves nothing behind that wedges the next one
                    long start = System.nanoTime();
                    raw.send("GET /x HTTP/1.1\r\nHost: blackhole\r\n\r\n");
                    String resp = raw.readResponse();
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(resp).startsWith("HTTP/1.1 504 Gateway Timeout\r\n")
                            .containsIgnoringCase("\r\nx-weft-error: upstream_timeout\r\n")
                            .doesNotContainIgnoringCase("connection: close")
                            .endsWith("\r\n\r\nupstream_timeout: service \"blackhole\": connect to 127.0.0.1:" + port + " timed out\n");
                    assertThat(ms).as("time to the 504 with a 300 ms connect timeout").isBetween(250L, 2000L);
                    System.out.printf("504 upstream_timeout after %d ms (accept queue filled with %d connections)%n", ms, fillers.size());
                }
                // The same keep-alive connection, and the sidecar, still serve other requests.
                raw.send("GET /after HTTP/1.1\r\nHost: app\r\n\r\n");
                assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("backend=app").contains("path=/after");
            }
            try (RawHttp fresh = new RawHttp(sidecar.outboundPort())) {
                fresh.send("GET /fresh HTTP/1.1\r\nHost: app\r\n\r\n");
                assertThat(fresh.readResponse()).startsWith("HTTP/1.1 200").contains("backend=app").contains("path=/fresh");
            }
            assertThat(app.requests.get()).isEqualTo(2);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    /** Plain connections until one no longer completes: the listener's accept queue is then full. */
    private static void fillAcceptQueue(ServerSocket listener, List<Socket> fillers) throws IOException {
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(LO, listener.getLocalPort()), 200);
                fillers.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return;
            }
        }
        fail("8 connections to a listener with backlog 1 that never accepts all completed: this kernel does not drop SYNs"
                + " when the accept queue is full, so the test cannot make a connect that hangs");
    }

    private static void assertConnectHangs(int port) throws IOException {
        long start = System.nanoTime();
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(LO, port), 500);
            fail("a plain connect to 127.0.0.1:" + port + " (backlog 1, accept queue full, never accepted)"
                    + " completed; the kernel does not drop SYNs here (net.ipv4.tcp_abort_on_overflow="
                    + sysctl("net/ipv4/tcp_abort_on_overflow") + "), so this test cannot make a connect that hangs");
        } catch (SocketTimeoutException expected) {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).as("probe connect timed out").isGreaterThanOrEqualTo(450L);
        } catch (IOException e) {
            fail("a plain connect to the full listener failed instead of hanging (" + e + "); net.ipv4.tcp_abort_on_overflow="
                    + sysctl("net/ipv4/tcp_abort_on_overflow") + ", so this test cannot make a connect that hangs");
        }
    }

    private static String sysctl(String path) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys", path), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
