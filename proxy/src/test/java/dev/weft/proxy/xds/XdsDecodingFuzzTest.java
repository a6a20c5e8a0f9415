package dev.weft.proxy.xds;

import static dev.weft.proxy.xds.XdsResources.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sidecar decodes xDS resources itself (dev.weft.proxy.xds.wire), so this checks it against
 * protobuf-java on seeded random damage to real resources: every mutated resource is either
 * translated or refused with an {@link XdsResourceException} (nothing else escapes), and whenever
 * both accept the bytes, the translation equals that of protobuf-java's reading of them (its
 * parse, re-encoded), which covers merged repeats of a message field, last-wins oneofs and
 * skipped unknown fields.
 */
class XdsDecodingFuzzTest {
    private static final int MUTATIONS_PER_SEED = 4000;

    private static List<Message> seeds() {
        Cluster ringHash = edsCluster("catalog")
                .setLbPolicy(Cluster.LbPolicy.RING_HASH)
                .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(64))
                        .setMaximumRingSize(UInt64Value.of(1024)))
                .setMetadata(Metadata.newBuilder().putFilterMetadata("other",
                        Struct.newBuilder().putFields("x", Value.newBuilder().setStringValue("y").build()).build()))
                .putTypedExtensionProtocolOptions(ClusterTranslator.UPSTREAM_HTTP_OPTIONS, Any.pack(HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttp2ProtocolOptions(io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance()))
                        .build()))
                .build();
        RouteConfiguration routes = outboundRoutes("catalog", "orders").toBuilder()
                .setVirtualHosts(0, outboundRoutes("catalog").getVirtualHosts(0).toBuilder()
                        .setRoutes(0, outboundRoutes("catalog").getVirtualHosts(0).getRoutes(0).toBuilder()
                                .setRoute(outboundRoutes("catalog").getVirtualHosts(0).getRoutes(0).getRoute().toBuilder()
                                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setHeader(
                                                RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user")).setTerminal(true))
                                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setConnectionProperties(
                                                RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true))))))
                .build();
        return List.of(ringHash, staticCluster(8080),
                cla("catalog", "z1", endpoint("10.0.0.1", 15006, HealthStatus.HEALTHY, 2, true, "catalog-1"),
                        endpoint("10.0.0.2", 15006, HealthStatus.DEGRADED, 1, false, "catalog-2")),
                outbound(15001), inbound(15006, 8080), routes);
    }

    private static Object translate(Message kind, byte[] bytes) throws XdsResourceException {
        return switch (kind.getDescriptorForType().getName()) {
            case "Cluster" -> ClusterTranslator.translate(bytes);
            case "ClusterLoadAssignment" -> ClusterLoadAssignmentTranslator.translate(bytes);
            case "Listener" -> ListenerTranslator.translate(bytes);
            default -> RouteConfigurationTranslator.translate(bytes);
        };
    }

    @Test
    void damagedResourcesAreRefusedCleanlyOrReadAsProtobufReadsThem() throws Exception {
        Random random = new Random(20261125);
        int accepted = 0;
        int refused = 0;
        int compared = 0;
        for (Message seed : seeds()) {
            byte[] original = seed.toByteArray();
            assertThat(translate(seed, original)).as("the seed itself translates").isNotNull();
            for (int i = 0; i < MUTATIONS_PER_SEED; i++) {
                byte[] bytes = mutate(original, random);
                Object ours;
                try {
                    ours = translate(seed, bytes);
                } catch (XdsResourceException e) {
                    assertThat(e.getMessage()).isNotBlank();
                    refused++;
                    continue;
                }
                accepted++;
                Message theirs;
                try {
                    theirs = seed.getParserForType().parseFrom(bytes);
                } catch (InvalidProtocolBufferException e) {
                    continue; // protobuf-java checks nested fields the sidecar skips
                }
                Object viaProtobuf = translate(seed, theirs.toByteArray());
                assertThat(ours).as("mutation %d of %s: %s", i, seed.getDescriptorForType().getName(), Arrays.toString(bytes))
                        .isEqualTo(viaProtobuf);
                compared++;
            }
        }
        System.out.printf("xds decoding fuzz: %d accepted (%d compared with protobuf-java), %d refused%n", accepted, compared, refused);
        // Seeded, so these are fixed; they guard against a change that makes the comparison vacuous.
        assertThat(accepted).as("some damage is harmless").isGreaterThan(300);
        assertThat(refused).as("most damage is refused").isGreaterThan(10_000);
        assertThat(compared).isGreaterThan(300);
    }

    /**
     * Edits that keep the encoding valid, at any depth: repeat a field (a message field that
     * appears twice is merged, a scalar's last value wins, a repeated field gains an element),
     * move a field to the end (the last member of a oneof wins), or drop one. The enclosing
     * lengths are re-encoded.
     */
    @Test
    void structuralEditsAreReadAsProtobufReadsThem() throws Exception {
        Random random = new Random(7);
        int compared = 0;
        for (Message seed : seeds()) {
            for (int i = 0; i < MUTATIONS_PER_SEED / 4; i++) {
                byte[] bytes = seed.toByteArray();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    bytes = editTree(bytes, random, 0);
                }
                Message theirs = seed.getParserForType().parseFrom(bytes);
                Object ours;
                try {
                    ours = translate(seed, bytes);
                } catch (XdsResourceException e) {
                    // then protobuf-java's reading must be refused with the same words
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> translate(seed, theirs.toByteArray()))
                            .as("mutation %d of %s", i, seed.getDescriptorForType().getName()).hasMessage(e.getMessage());
                    continue;
                }
                assertThat(ours).as("mutation %d of %s", i, seed.getDescriptorForType().getName())
                        .isEqualTo(translate(seed, theirs.toByteArray()));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(1000);
    }

    /** One structural edit somewhere in the message: at this level, or inside a nested message. */
    private static byte[] editTree(byte[] message, Random random, int depth) throws Exception {
        List<byte[][]> fields = new java.util.ArrayList<>(); // {tag and length prefix, value}, or {whole field, null}
        dev.weft.proxy.xds.wire.ProtoReader r = new dev.weft.proxy.xds.wire.ProtoReader(message);
        List<Integer> numbers = new java.util.ArrayList<>();
        List<Integer> types = new java.util.ArrayList<>();
        while (r.next()) {
            numbers.add(r.field());
            types.add(r.wireType());
            if (r.wireType() == dev.weft.proxy.xds.wire.ProtoReader.LENGTH_DELIMITED) {
                fields.add(new byte[][] {null, r.bytes()});
            } else {
                fields.add(new byte[][] {scalar(r), null});
            }
        }
        if (fields.isEmpty()) {
            return message;
        }
        int pick = random.nextInt(fields.size());
        int action = random.nextInt(depth < 6 ? 5 : 3);
        switch (action) {
            case 0 -> fields.add(pick + 1, fields.get(pick)); // repeat
            case 1 -> fields.add(fields.remove(pick)); // move last
            case 2 -> fields.remove(pick); // drop
            default -> { // edit inside, when the value is itself a message
                if (fields.get(pick)[1] != null && fields.get(pick)[1].length > 0) {
                    try {
                        fields.set(pick, new byte[][] {null, editTree(fields.get(pick)[1], random, depth + 1)});
                    } catch (dev.weft.proxy.xds.wire.MalformedProtoException notAMessage) {
                        // a string or bytes value: leave it
                    }
                }
            }
        }
        if (action == 0) {
            numbers.add(pick + 1, numbers.get(pick));
            types.add(pick + 1, types.get(pick));
        } else if (action == 1) {
            numbers.add(numbers.remove(pick));
            types.add(types.remove(pick));
        } else if (action == 2) {
            numbers.remove(pick);
            types.remove(pick);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream w = com.google.protobuf.CodedOutputStream.newInstance(out);
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i)[1] != null) {
                w.writeByteArray(numbers.get(i), fields.get(i)[1]);
            } else {
                w.writeUInt32NoTag((numbers.get(i) << 3) | types.get(i));
                w.writeRawBytes(fields.get(i)[0]);
            }
        }
        w.flush();
        return out.toByteArray();
    }

    /** A non-length-delimited value's raw bytes (varint or fixed), re-read from the reader. */
    private static byte[] scalar(dev.weft.proxy.xds.wire.ProtoReader r) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream w = com.google.protobuf.CodedOutputStream.newInstance(out);
        switch (r.wireType()) {
            case dev.weft.proxy.xds.wire.ProtoReader.VARINT -> w.writeUInt64NoTag(r.int64());
            case dev.weft.proxy.xds.wire.ProtoReader.FIXED64 -> w.writeDoubleNoTag(r.float64());
            default -> r.skip(); // fixed32: no xDS field the seeds use
        }
        w.flush();
        return out.toByteArray();
    }

    /** One to three random edits: overwrite a byte, cut the tail, insert a byte, or repeat a slice. */
    private static byte[] mutate(byte[] in, Random random) {
        byte[] b = in;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0 -> {
                    b = b.clone();
                    b[at] = (byte) random.nextInt(256);
                }
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                default -> {
                    int len = 1 + random.nextInt(Math.min(40, b.length - at));
                    byte[] c = Arrays.copyOf(b, b.length + len);
                    System.arraycopy(b, at, c, b.length, len);
                    b = c;
                }
            }
            if (b.length == 0) {
                return b;
            }
        }
        return b;
    }
}
