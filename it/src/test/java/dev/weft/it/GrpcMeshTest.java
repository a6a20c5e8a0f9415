package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the mesh as separate processes: two grpc-java servers, each behind a
 * {@code weft proxy --app-protocol grpc}, and a grpc-java client whose channel points at its own
 * sidecar's outbound port with the service as the authority. The control plane learns each app's
 * protocol from the sidecar's node metadata (HTTP/2 to the app); between sidecars the client's
 * HTTP/2 is kept. Both servers are reached, and calls keep working when one goes away.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GrpcMeshTest {
    @TempDir
    Path dir;

    @Test
    void grpcCallsCrossTheMeshAndSurviveAServerLeaving() throws Exception {
        List<WeftProcess> processes = new ArrayList<>();
        Server one = Greeter.start("one");
        Server two = Greeter.start("two");
        NamedApp clientApp = NamedApp.start("client-app", () -> 200);
        ManagedChannel channel = null;
        try {
            WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(), "--http-port", "0",
                    "--dns-port", "0", "--xds-port", "0")).awaitReady();
            processes.add(cp);
            String token = Files.readString(dir.resolve("cp/admin-token")).trim();
            processes.add(sidecar(cp, token, "greeter", "greeter-1", one.getPort(), "grpc"));
            WeftProcess sidecarTwo = sidecar(cp, token, "greeter", "greeter-2", two.getPort(), "grpc");
            processes.add(sidecarTwo);
            WeftProcess client = sidecar(cp, token, "client", "client-1", clientApp.port(), "http1");
            processes.add(client);

            channel = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), client.outboundPort()))
                    .overrideAuthority("greeter").usePlaintext().build();
            ManagedChannel ch = channel;
            Awaitility.await("both greeters answer through the mesh").atMost(Duration.ofSeconds(30))
                    .until(() -> calls(ch, 20).keySet().containsAll(List.of("one", "two")));

            // peak EWMA (the sidecars' default) sends sequential calls to whichever greeter has answered faster
            // lately, so the split is not even; every call must succeed
            Map<String, Integer> spread = calls(channel, 200);
            assertThat(spread.keySet()).as("200 calls through the mesh: %s", spread).isSubsetOf("one", "two");
            assertThat(spread.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);

            sidecarTwo.close(); // SIGTERM: deregisters and drains
            two.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            Awaitility.await("calls move to the remaining greeter").atMost(Duration.ofSeconds(20))
                    .until(() -> calls(ch, 10).keySet().equals(java.util.Set.of("one")));
            assertThat(calls(channel, 50)).containsOnlyKeys("one");
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            for (int i = processes.size() - 1; i >= 0; i--) {
                processes.get(i).close();
            }
            one.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            two.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            clientApp.close();
        }
    }

    private WeftProcess sidecar(WeftProcess cp, String token, String service, String id, int appPort, String protocol) {
        return WeftProcess.start(List.of("proxy", "--service", service, "--instance-id", id,
                "--app-port", String.valueOf(appPort), "--app-protocol", protocol,
                "--outbound-port", "0", "--inbound-port", "0", "--admin-port", "0", "--event-loops", "1",
                "--control-plane", cp.baseUrl(), "--xds", "127.0.0.1:" + cp.xdsPort(),
                "--state-dir", dir.resolve("state-" + id).toString(), "--health-interval", "300ms",
                "--drain-propagation", "1s"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
    }

    /** Which greeter answered each of n unary calls; failures are counted under their status code. */
    private static Map<String, Integer> calls(ManagedChannel channel, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String who;
            try {
                who = ClientCalls.blockingUnaryCall(channel, GreeterXdsClientMain.HELLO,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
            } catch (io.grpc.StatusRuntimeException e) {
                who = "error " + e.getStatus().getCode();
            }
            counts.merge(who, 1, Integer::sum);
        }
        return counts;
    }
}
