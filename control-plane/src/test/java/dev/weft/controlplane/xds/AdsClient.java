package dev.weft.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw ADS client, as a sidecar speaks it: one stream, explicit requests and ACKs. */
final class AdsClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);

    private final ManagedChannel channel;
    private final Node node;
    private final StreamObserver<DiscoveryRequest> requests;
    private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();

    private AdsClient(int port, Node node, Metadata headers) {
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        this.node = node;
        AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub = AggregatedDiscoveryServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        this.requests = stub.streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
                closed.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                closed.complete(Status.OK);
            }
        });
    }

    static AdsClient connect(int port, Node node, String header, String value) {
        Metadata md = new Metadata();
        if (header != null) {
            md.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), value);
        }
        return new AdsClient(port, node, md);
    }

    static Node sidecar(String instanceId, Map<String, Value> metadata) {
        return Node.newBuilder()
                .setId("sidecar~127.0.0.1~" + instanceId + "~default")
                .setMetadata(Struct.newBuilder().putAllFields(metadata))
                .build();
    }

    static Value number(int n) {
        return Value.newBuilder().setNumberValue(n).build();
    }

    static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    void request(XdsResources.Type type, List<String> names) {
        send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl).addAllResourceNames(names).build());
    }

    /** ACKs a response, asking for {@code names} from now on. */
    void ack(DiscoveryResponse r, List<String> names) {
        send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(r.getTypeUrl()).setVersionInfo(r.getVersionInfo())
                .setResponseNonce(r.getNonce()).addAllResourceNames(names).build());
    }

    void send(DiscoveryRequest r) {
        synchronized (requests) {
            requests.onNext(r);
        }
    }

    /** The next response, which must be of this type. */
    DiscoveryResponse next(XdsResources.Type type) throws InterruptedException {
        DiscoveryResponse r = responses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("a %s response within %s", type, WAIT).isNotNull();
        assertThat(XdsResources.Type.forTypeUrl(r.getTypeUrl())).as("type of the next response").isEqualTo(type);
        return r;
    }

    /** One response of each of these types, in any order, and nothing else. */
    Map<XdsResources.Type, DiscoveryResponse> next(Set<XdsResources.Type> types) throws InterruptedException {
        Map<XdsResources.Type, DiscoveryResponse> got = new EnumMap<>(XdsResources.Type.class);
        while (got.size() < types.size()) {
            DiscoveryResponse r = responses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("responses of types %s within %s, got %s", types, WAIT, got.keySet()).isNotNull();
            XdsResources.Type t = XdsResources.Type.forTypeUrl(r.getTypeUrl());
            assertThat(types).as("an expected type").contains(t);
            assertThat(got).as("one %s response only", t).doesNotContainKey(t);
            got.put(t, r);
        }
        return got;
    }

    Status awaitClosed() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
