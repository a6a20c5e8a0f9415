package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.controlplane.ControlPlane;
import dev.weft.controlplane.ControlPlaneConfig;
import io.grpc.Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, unmodified grpc-java xDS client (proxyless: no sidecar) dials {@code xds:///greeter} against the control plane
 * and balances over the servers the registry knows, following a deregistration made through the HTTP API.
 *
 * <p>grpc-java reads its xDS bootstrap once per JVM, so the client runs in a child JVM ({@link GreeterXdsClientMain},
 * same class path) with the bootstrap in {@code GRPC_XDS_BOOTSTRAP_CONFIG}, the way an application would be deployed.
 * The test drives it over stdin/stdout: {@code call N} answers with how many calls each server took.
 *
 * <p>The control plane runs with --insecure-no-auth: grpc-java 1.85's bootstrap cannot attach a token to its xDS
 * stream (see docs/xds.md, "Proxyless gRPC clients": the token).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxylessGrpcTest {
    @TempDir
    Path dir;

    private static void register(ControlPlane cp, String id, int port) {
        Http.Response r = Http.put(cp.httpUrl() + "/api/v1/services/greeter/instances/" + id,
                "{\"address\":\"127.0.0.1\",\"port\":" + port + "}", null);
        assertThat(r.status()).as("register %s: %s", id, r.body()).isEqualTo(200);
    }

    @Test
    void balancesOverRegisteredServersAndFollowsDeregistration() throws Exception {
        // insecureNoAuth = true (--insecure-no-auth): grpc-java 1.85 cannot send the opaque admin token on its xDS
        // stream (bootstrap channel_creds only, no call credentials), see docs/xds.md.
        ControlPlaneConfig config = new ControlPlaneConfig(dir, InetAddress.getLoopbackAddress(), 0, 0, 0, "weft",
                Duration.ofSeconds(5), "dc1", true);
        Server one = Greeter.start("one");
        Server two = Greeter.start("two");
        ChildClient client = null;
        try (ControlPlane cp = ControlPlane.start(config)) {
            register(cp, "greeter-1", one.getPort());
            register(cp, "greeter-2", two.getPort());
            Map<String, ?> bootstrap = Map.of(
                    "xds_servers", List.of(Map.of(
                            "server_uri", "127.0.0.1:" + cp.xdsPort(),
                            "channel_creds", List.of(Map.of("type", "insecure")),
                            "server_features", List.of("xds_v3"))),
                    "node", Map.of("id", "proxyless-it-" + ProcessHandle.current().pid()));
            client = ChildClient.start(Http.JSON.writeValueAsString(bootstrap), "xds:///greeter", dir.resolve("client.stderr"));
            ChildClient child = client;

            Map<String, Integer> spread = client.call(200);

            assertThat(spread).as(() -> "calls per server of 200" + child.diagnostics()).containsOnlyKeys("one", "two");
            assertThat(spread.get("one")).as("calls to 'one' of 200: %s", spread).isGreaterThanOrEqualTo(40);
            assertThat(spread.get("two")).as("calls to 'two' of 200: %s", spread).isGreaterThanOrEqualTo(40);

            Http.Response gone = Http.delete(cp.httpUrl() + "/api/v1/services/greeter/instances/greeter-2", null);
            assertThat(gone.status()).as("deregister greeter-2: %s", gone.body()).isEqualTo(200);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long left = System.nanoTime();
            Map<String, Integer> last;
            do {
                last = client.call(20);
            } while (!last.keySet().equals(Set.of("one")) && System.nanoTime() < deadline);
            System.out.printf("spread of 200: %s; first batch of 20 all on 'one' ended %d ms after the DELETE returned%n", spread,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left));
            assertThat(last).as(() -> "20 calls, up to 10 s after greeter-2 was deregistered" + child.diagnostics()).containsOnlyKeys("one");
            assertThat(client.call(50)).as("50 more calls").containsOnlyKeys("one");
        } finally {
            if (client != null) {
                client.close();
            }
            one.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            two.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** {@link GreeterXdsClientMain} in a child JVM on this JVM's class path, driven over its stdin and stdout. */
    private static final class ChildClient implements AutoCloseable {
        private final Process process;
        private final Writer stdin;
        private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        private final Path stderr;

        private ChildClient(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        stdout.add(line);
                    }
                } catch (IOException e) {
                    // the child is gone; next() reports it
                }
            }, "xds-client-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static ChildClient start(String bootstrapJson, String target, Path stderr) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-XX:TieredStopAtLevel=1", "-Xmx256m", GreeterXdsClientMain.class.getName(), target)
                    .redirectError(stderr.toFile());
            pb.environment().remove("GRPC_XDS_BOOTSTRAP");
            pb.environment().put("GRPC_XDS_BOOTSTRAP_CONFIG", bootstrapJson);
            ChildClient c = new ChildClient(pb.start(), stderr);
            String first = c.next(20);
            if (!"ready".equals(first)) {
                throw new AssertionError("xDS client JVM did not start, said " + first + c.diagnostics());
            }
            return c;
        }

        /** n calls in the child; the count per answering server ("error:CODE" for failures). */
        Map<String, Integer> call(int n) throws Exception {
            stdin.write("call " + n + "\n");
            stdin.flush();
            String line = next(40);
            if (line == null || !line.startsWith("result n=" + n)) {
                throw new AssertionError("xDS client answered " + line + " to 'call " + n + "'" + diagnostics());
            }
            Map<String, Integer> byServer = new TreeMap<>();
            for (String kv : line.substring(line.indexOf(' ', "result ".length()) + 1).split(" ")) {
                if (!kv.isEmpty() && !kv.startsWith("n=")) {
                    int eq = kv.lastIndexOf('=');
                    byServer.put(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)));
                }
            }
            return byServer;
        }

        private String next(int seconds) throws InterruptedException {
            return stdout.poll(seconds, TimeUnit.SECONDS);
        }

        private String diagnostics() {
            String exit = process.isAlive() ? "running" : "exited " + process.exitValue();
            String err;
            try {
                List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
                err = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                err = "(no stderr: " + e + ")";
            }
            return " (child " + exit + "; stderr tail:\n" + err + ")";
        }

        @Override
        public void close() throws InterruptedException {
            try {
                stdin.write("quit\n");
                stdin.flush();
            } catch (IOException | UncheckedIOException e) {
                // already gone
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
