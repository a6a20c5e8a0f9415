package dev.weft.proxy;

import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.LbPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster idle timeout of pooled upstream connections, on real sockets: each connection is
 * closed by the sidecar when it has been idle for the timeout, counted from its own last exchange
 * (one sweep per pool serves connections that went idle at different times).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamIdleTimeoutTest {
    private static final long IDLE_MS = 600;

    @Test
    void eachPooledConnectionClosesWhenIdleForTheTimeoutCountedFromItsLastExchange() throws Exception {
        try (KeepAliveBackend backend = new KeepAliveBackend();
             Sidecar sidecar = Sidecar.start(Configs.testOptions().withEventLoopThreads(1))) { // one loop: one pool
            sidecar.apply(new Configs.Builder(sidecar)
                    .service(new ClusterConfig("idle", LbPolicy.ROUND_ROBIN, Duration.ofMillis(500), Duration.ofMillis(IDLE_MS), 0,
                            List.of(healthy(backend.port()))))
                    .build("1"));
            try (RawHttp first = new RawHttp(sidecar.outboundPort()); RawHttp second = new RawHttp(sidecar.outboundPort())) {
                // two upstream connections: the second request starts while the first is still in flight
                first.send("GET /slow HTTP/1.1\r\nHost: idle\r\n\r\n");
                Thread.sleep(100);
                second.send("GET /a HTTP/1.1\r\nHost: idle\r\n\r\n");
                assertThat(second.readResponse()).startsWith("HTTP/1.1 200");
                long aIdleSince = System.nanoTime(); // the connection that served /a is idle from here
                assertThat(first.readResponse()).startsWith("HTTP/1.1 200");
                // the pool hands out the most recently released connection: /b reuses the one /slow used
                Thread.sleep(IDLE_MS / 2);
                second.send("GET /b HTTP/1.1\r\nHost: idle\r\n\r\n");
                assertThat(second.readResponse()).startsWith("HTTP/1.1 200");
                long secondIdleSince = System.nanoTime();

                assertThat(backend.connections()).isEqualTo(2);
                long[] closed = backend.awaitClosed(2, 5_000);
                long early = TimeUnit.NANOSECONDS.toMillis(closed[0] - aIdleSince);
                long late = TimeUnit.NANOSECONDS.toMillis(closed[1] - secondIdleSince);
                System.out.printf("idle timeout %d ms: connections closed %d ms and %d ms after their last exchange%n", IDLE_MS, early, late);
                assertThat(early).as("the connection idle since /a").isBetween(IDLE_MS - 50, IDLE_MS + 700);
                assertThat(late).as("the connection reused for /b").isBetween(IDLE_MS - 50, IDLE_MS + 700);
                assertThat(TimeUnit.NANOSECONDS.toMillis(closed[1] - closed[0])).as("closed at their own deadlines, not together")
                        .isGreaterThan(IDLE_MS / 4);
            }
            // a new request after both closed gets a fresh connection
            try (RawHttp again = new RawHttp(sidecar.outboundPort())) {
                again.send("GET /c HTTP/1.1\r\nHost: idle\r\n\r\n");
                assertThat(again.readResponse()).startsWith("HTTP/1.1 200");
            }
            assertThat(backend.connections()).isEqualTo(3);
        }
    }

    /** A keep-alive HTTP/1.1 server on raw sockets that notes when the peer closes each connection. */
    private static final class KeepAliveBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Map<Integer, Long> closedAt = new ConcurrentHashMap<>();
        private volatile int accepted;

        KeepAliveBackend() throws IOException {
            Thread t = new Thread(this::acceptLoop, "keep-alive-backend");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return accepted;
        }

        long[] awaitClosed(int n, long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (closedAt.size() < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(closedAt).as("connections the sidecar closed").hasSizeGreaterThanOrEqualTo(n);
            return closedAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int id = ++accepted;
                    Thread t = new Thread(() -> serve(id, s), "keep-alive-conn-" + id);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(int id, Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                StringBuilder head = new StringBuilder();
                int b;
                while ((b = in.read()) >= 0) {
                    head.append((char) b);
                    if (head.toString().endsWith("\r\n\r\n")) {
                        if (head.toString().startsWith("GET /slow ")) {
                            Thread.sleep(400);
                        }
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        head.setLength(0);
                    }
                }
                closedAt.put(id, System.nanoTime()); // the sidecar hung up
            } catch (IOException | InterruptedException e) {
                closedAt.put(id, System.nanoTime());
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
