package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.ControlPlane;
import dev.weft.controlplane.ControlPlaneConfig;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real grpc-java xDS client (proxyless: no sidecar) dials {@code xds:///greeter} against the
 * control plane and balances over the servers the registry knows, following a deregistration.
 *
 * <p>The control plane runs with --insecure-no-auth: grpc-java 1.85's bootstrap cannot attach a
 * token to its xDS stream (see docs/xds.md, "Proxyless gRPC clients and the token").
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxylessGrpcTest {
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("weft.it.Greeter/Hello")
            .setRequestMarshaller(UTF8)
            .setResponseMarshaller(UTF8)
            .build();

    @TempDir
    Path dir;

    private static Server greeter(String name) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("weft.it.Greeter")
                .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(name);
                    response.onCompleted();
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service).build().start();
    }

    private static void register(ControlPlane cp, String id, int port) throws Exception {
        cp.registry().register(new Registration(new Instance("greeter", id, "127.0.0.1", port, 0, List.of(), Map.of(), "", 1),
                List.of())).get(5, TimeUnit.SECONDS);
    }

    private static Map<String, Integer> call(ManagedChannel channel, int n) {
        Map<String, Integer> byServer = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String who = ClientCalls.blockingUnaryCall(channel, HELLO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
            byServer.merge(who, 1, Integer::sum);
        }
        return byServer;
    }

    @Test
    void balancesOverRegisteredServersAndFollowsDeregistration() throws Exception {
        ControlPlaneConfig config = new ControlPlaneConfig(dir, InetAddress.getLoopbackAddress(), 0, 0, 0, "weft",
                Duration.ofSeconds(5), "dc1", true);
        Server one = greeter("one");
        Server two = greeter("two");
        ManagedChannel channel = null;
        try (ControlPlane cp = ControlPlane.start(config)) {
            register(cp, "greeter-1", one.getPort());
            register(cp, "greeter-2", two.getPort());
            // The bootstrap goes to this resolver only (grpc-java caches the JVM-wide one forever). Its own scheme
            // keeps the default "xds" provider from shadowing it; the client still asks for the LDS resource "greeter".
            Map<String, ?> bootstrap = Map.of(
                    "xds_servers", List.of(Map.of(
                            "server_uri", "127.0.0.1:" + cp.xdsPort(),
                            "channel_creds", List.of(Map.of("type", "insecure")),
                            "server_features", List.of("xds_v3"))),
                    "node", Map.of("id", "proxyless-it-" + ProcessHandle.current().pid()));
            NameResolverRegistry resolvers = new NameResolverRegistry();
            resolvers.register(XdsNameResolverProvider.createForTest("weft-xds", bootstrap));
            channel = Grpc.newChannelBuilder("weft-xds:///greeter", InsecureChannelCredentials.create())
                    .nameResolverFactory(resolvers.asFactory())
                    .build();

            Map<String, Integer> spread = call(channel, 200);

            assertThat(spread).containsOnlyKeys("one", "two");
            assertThat(spread.get("one")).as("calls to 'one' of 200: %s", spread).isGreaterThanOrEqualTo(40);
            assertThat(spread.get("two")).as("calls to 'two' of 200: %s", spread).isGreaterThanOrEqualTo(40);

            cp.registry().deregister("greeter-2").get(5, TimeUnit.SECONDS);
            ManagedChannel ch = channel;
            await("all calls on 'one' after greeter-2 left").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> call(ch, 20).keySet().equals(java.util.Set.of("one")));
            assertThat(call(channel, 50)).containsOnlyKeys("one");
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            one.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            two.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
