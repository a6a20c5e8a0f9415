package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.endpoint;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.UpstreamProtocol;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * gRPC through the mesh path with unmodified grpc-java on both ends: client → sidecar A outbound
 * (h2c) → sidecar B inbound → grpc-java server (app protocol HTTP/2). Unary, client streaming,
 * server streaming and bidirectional calls; statuses, messages and custom trailers arrive intact.
 * The service is defined by hand (string messages) so the test needs no generated code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcThroughSidecarsTest {
    private static final String SERVICE = "weft.test.Echo";
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    private static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> JOIN = method("Join", MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    private Server server;
    private Sidecar a;
    private Sidecar b;
    private ManagedChannel channel;
    private ManagedChannel downChannel;

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(Utf8Marshaller.INSTANCE).setResponseMarshaller(Utf8Marshaller.INSTANCE).build();
    }

    @BeforeAll
    void start() throws Exception {
        ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY, ServerCalls.asyncUnaryCall((req, out) -> {
                    if (req.equals("fail")) {
                        Metadata trailers = new Metadata();
                        trailers.put(DETAIL, "failing on purpose");
                        out.onError(Status.INVALID_ARGUMENT.withDescription("no fail please").asRuntimeException(trailers));
                        return;
                    }
                    out.onNext("hello " + (req.length() > 64 ? req.length() + " chars" : req));
                    out.onCompleted();
                }))
                .addMethod(JOIN, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final StringBuilder joined = new StringBuilder();

                    @Override
                    public void onNext(String value) {
                        joined.append(value).append(',');
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(joined.toString());
                        out.onCompleted();
                    }
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(req);
                    for (int i = 1; i <= n; i++) {
                        out.onNext("n" + i);
                    }
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "counted " + n);
                    out.onError(Status.OK.asRuntimeException(trailers)); // OK with custom trailers
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext("echo " + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(echo)
                .build().start();

        b = Sidecar.start(Configs.testOptions());
        b.apply(new Configs.Builder(b).app(server.getPort(), UpstreamProtocol.HTTP2).build("b1"));
        a = Sidecar.start(Configs.testOptions());
        a.apply(new Configs.Builder(a)
                .service(cluster("echo", LbPolicy.ROUND_ROBIN, Configs.mesh(b.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("down", LbPolicy.ROUND_ROBIN, endpoint(b.inboundPort(), EndpointHealth.UNHEALTHY, 1))
                        .withProtocol(UpstreamProtocol.DOWNSTREAM))
                .build("a1"));
        channel = dial("echo");
        downChannel = dial("down");
    }

    private ManagedChannel dial(String service) {
        // an app reaches the mesh through its sidecar's outbound port, naming the service as the authority
        return NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.outboundPort()))
                .overrideAuthority(service).usePlaintext().build();
    }

    @AfterAll
    void stop() throws InterruptedException {
        for (ManagedChannel c : new ManagedChannel[] {channel, downChannel}) {
            if (c != null) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void unaryCallsIncludingOneLargerThanTheFlowControlWindows() {
        assertThat(ClientCalls.blockingUnaryCall(channel, SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "mesh"))
                .isEqualTo("hello mesh");
        String big = "x".repeat(3 * 1024 * 1024); // several flow-control windows
        assertThat(ClientCalls.blockingUnaryCall(channel, SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), big))
                .isEqualTo("hello " + big.length() + " chars");
    }

    @Test
    void errorStatusMessageAndTrailersArriveIntact() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "fail"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no fail please");
                    assertThat(e.getTrailers().get(DETAIL)).isEqualTo("failing on purpose");
                });
    }

    @Test
    void clientStreaming() throws Exception {
        var result = new LinkedBlockingQueue<String>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(JOIN, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), collector(result));
        for (int i = 0; i < 200; i++) {
            requests.onNext("m" + i);
        }
        requests.onCompleted();
        String joined = result.poll(10, TimeUnit.SECONDS);
        assertThat(joined).startsWith("m0,m1,m2,").endsWith("m199,");
        assertThat(joined.split(",")).hasSize(200);
    }

    @Test
    void serverStreamingWithTrailers() {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var ch = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(ch, COUNT, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "500");
        List<String> got = new ArrayList<>();
        it.forEachRemaining(got::add);
        assertThat(got).hasSize(500).startsWith("n1", "n2").endsWith("n500");
        assertThat(trailers.get().get(DETAIL)).isEqualTo("counted 500");
    }

    @Test
    void bidirectionalStreamingIsInteractive() throws Exception {
        var replies = new LinkedBlockingQueue<String>();
        ClientCall<String, String> call = channel.newCall(CHAT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(call, collector(replies));
        // ping-pong: each reply must come back before the next message is sent, so nothing may sit in a buffer
        for (int i = 0; i < 50; i++) {
            requests.onNext("ping " + i);
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("echo ping " + i);
        }
        requests.onCompleted();
        assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo(DONE);
    }

    @Test
    void sidecarErrorsBecomeGrpcStatuses() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(downChannel, SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).startsWith("no_healthy_upstream: service \"down\" has no healthy endpoint");
                });
    }

    private static final String DONE = "<completed>";

    private static StreamObserver<String> collector(LinkedBlockingQueue<String> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                into.add("<error " + Status.fromThrowable(t) + ">");
            }

            @Override
            public void onCompleted() {
                into.add(DONE);
            }
        };
    }
}
