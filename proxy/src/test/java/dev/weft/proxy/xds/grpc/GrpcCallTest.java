package dev.weft.proxy.xds.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sidecar's gRPC call against grpc-java's server (the transport the control plane serves ADS with). */
class GrpcCallTest {
    private static final String PATH = "/test.Echo/Chat";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
    private final Queue<String> authorizations = new ConcurrentLinkedQueue<>();
    private Server server;

    /** A listener that records what it hears. */
    private static final class Recorder implements GrpcCall.Listener {
        final List<byte[]> messages = new CopyOnWriteArrayList<>();
        volatile boolean ready;
        volatile boolean closed;
        volatile String error;

        @Override
        public void onReady() {
            ready = true;
        }

        @Override
        public void onMessage(byte[] message) {
            messages.add(message);
        }

        @Override
        public void onClose(String error) {
            this.error = error;
            closed = true;
        }
    }

    @BeforeEach
    void start() throws IOException {
        MethodDescriptor<byte[], byte[]> chat = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING).setFullMethodName(PATH.substring(1))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        // Each request is a command: "echo:x" answers x, "big:n" answers n bytes, "fail" ends with an error, "end" completes.
        ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
                .addMethod(chat, ServerCalls.<byte[], byte[]>asyncBidiStreamingCall((StreamObserver<byte[]> responses) -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] request) {
                        String command = new String(request, StandardCharsets.UTF_8);
                        if (command.startsWith("echo:")) {
                            responses.onNext(command.substring(5).getBytes(StandardCharsets.UTF_8));
                        } else if (command.startsWith("big:")) {
                            byte[] big = new byte[Integer.parseInt(command.substring(4))];
                            Arrays.fill(big, (byte) 'x');
                            responses.onNext(big);
                        } else if (command.equals("fail")) {
                            responses.onError(Status.PERMISSION_DENIED.withDescription("token refused: 100% sure, é").asRuntimeException());
                        } else {
                            responses.onCompleted();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        responses.onCompleted();
                    }
                }))
                .build();
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                authorizations.add(String.valueOf(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER))));
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(echo, auth)).maxInboundMessageSize(16 << 20)
                .permitKeepAliveTime(50, TimeUnit.MILLISECONDS).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        callbacks.shutdownNow();
    }

    private GrpcCall.Options options(int port, String path, Duration keepAlive, int maxMessage) {
        return new GrpcCall.Options(new InetSocketAddress("127.0.0.1", port), "127.0.0.1:" + port, path, "Bearer t0ken",
                Duration.ofSeconds(2), keepAlive, Duration.ofMillis(500), maxMessage);
    }

    private GrpcCall start(GrpcCall.Options o, Recorder r) {
        return GrpcCall.start(o, group, NioSocketChannel.class, callbacks, r);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void messagesFlowBothWaysAndTheServerEndsTheCall() {
        Recorder r = new Recorder();
        GrpcCall call = start(options(server.getPort(), PATH, Duration.ofMinutes(5), 8 << 20), r);
        call.send(utf8("echo:one")); // queued until the stream is open
        call.send(utf8("big:3000000")); // larger than the 1 MiB window and many DATA frames
        for (int i = 0; i < 200; i++) {
            call.send(utf8("echo:" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> r.messages.size() == 202);
        assertThat(r.ready).isTrue();
        assertThat(new String(r.messages.get(0), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(r.messages.get(1)).hasSize(3_000_000);
        assertThat(new String(r.messages.get(201), StandardCharsets.UTF_8)).isEqualTo("199");
        assertThat(authorizations).containsExactly("Bearer t0ken");
        assertThat(options(server.getPort(), PATH, Duration.ofMinutes(5), 1).toString()).doesNotContain("t0ken").contains("<redacted>");
        call.send(utf8("end"));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
        assertThat(r.error).isNull();
    }

    @Test
    void anErrorStatusIsReportedWithItsDecodedMessage() {
        Recorder r = new Recorder();
        start(options(server.getPort(), PATH, Duration.ofMinutes(5), 1 << 20), r).send(utf8("fail"));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
        assertThat(r.error).isEqualTo("PERMISSION_DENIED: token refused: 100% sure, é");
    }

    @Test
    void anUnknownMethodEndsWithTheTrailersOnlyAnswer() {
        Recorder r = new Recorder();
        start(options(server.getPort(), "/test.Echo/Nope", Duration.ofMinutes(5), 1 << 20), r);
        await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
        assertThat(r.error).startsWith("UNIMPLEMENTED: ");
    }

    @Test
    void aMessageOverTheLimitEndsTheCall() {
        Recorder r = new Recorder();
        start(options(server.getPort(), PATH, Duration.ofMinutes(5), 1000), r).send(utf8("big:1001"));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
        assertThat(r.error).isEqualTo("message of 1001 bytes exceeds the limit of 1000");
        assertThat(r.messages).isEmpty();
    }

    @Test
    void aRefusedConnectionIsReported() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Recorder r = new Recorder();
        start(options(closedPort, PATH, Duration.ofMinutes(5), 1 << 20), r);
        await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
        assertThat(r.error).startsWith("connect to /127.0.0.1:" + closedPort + " failed: ").contains("refused");
        assertThat(r.ready).isFalse();
    }

    @Test
    void aPeerThatStopsAnsweringIsDetectedByKeepalive() throws Exception {
        // A TCP peer that accepts and then never speaks HTTP/2: the keepalive PING goes unanswered.
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Recorder r = new Recorder();
            start(options(silent.getLocalPort(), PATH, Duration.ofMillis(200), 1 << 20), r);
            try (Socket accepted = silent.accept()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> r.closed);
                assertThat(r.error).isEqualTo("keepalive ping not answered within 500 ms");
            }
        }
    }

    @Test
    void answeredKeepalivePingsKeepTheCallOpen() throws Exception {
        Recorder r = new Recorder();
        GrpcCall call = start(options(server.getPort(), PATH, Duration.ofMillis(100), 1 << 20), r);
        call.send(utf8("echo:before"));
        Thread.sleep(1500); // about 15 pings, each answered well within the 500 ms timeout
        call.send(utf8("echo:after"));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.messages.size() == 2);
        assertThat(r.closed).as("closed with: %s", r.error).isFalse();
    }

    @Test
    void aCancelledCallClosesItsConnectionAndStaysSilent() throws Exception {
        Recorder r = new Recorder();
        GrpcCall call = start(options(server.getPort(), PATH, Duration.ofMinutes(5), 1 << 20), r);
        call.send(utf8("echo:x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.messages.size() == 1);
        call.cancel("test");
        call.send(utf8("echo:y"));
        Thread.sleep(300);
        assertThat(r.closed).as("no onClose after cancel").isFalse();
        assertThat(r.messages).hasSize(1);
    }
}
