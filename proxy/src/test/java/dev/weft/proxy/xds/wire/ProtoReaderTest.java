package dev.weft.proxy.xds.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire reader and writer against protobuf-java's own encoder and parser. */
class ProtoReaderTest {

    private record Field(int number, int wireType, Object value) {
    }

    /** Every field of a message, read generically. */
    private static List<Field> fields(byte[] bytes) throws MalformedProtoException {
        List<Field> out = new ArrayList<>();
        ProtoReader r = new ProtoReader(bytes);
        while (r.next()) {
            Object v = switch (r.wireType()) {
                case ProtoReader.VARINT -> r.int64();
                case ProtoReader.FIXED64 -> r.float64();
                case ProtoReader.LENGTH_DELIMITED -> ByteString.copyFrom(r.bytes());
                default -> {
                    r.skip();
                    yield null;
                }
            };
            out.add(new Field(r.field(), r.wireType(), v));
        }
        return out;
    }

    @Test
    void readsWhatProtobufWrites() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(1, "héllo");
        out.writeInt64(2, -5);
        out.writeUInt64(3, Long.MAX_VALUE);
        out.writeDouble(4, 2.5);
        out.writeFixed32(5, 7);
        out.writeBool(536_870_911, true); // the largest field number
        out.flush();
        List<Field> f = fields(bytes.toByteArray());
        assertThat(f).extracting(Field::number).containsExactly(1, 2, 3, 4, 5, 536_870_911);
        assertThat(f.get(0).value()).isEqualTo(ByteString.copyFromUtf8("héllo"));
        assertThat(f.get(1).value()).isEqualTo(-5L);
        assertThat(f.get(2).value()).isEqualTo(Long.MAX_VALUE);
        assertThat(f.get(3).value()).isEqualTo(2.5);
        assertThat(f.get(5).value()).isEqualTo(1L);

        ProtoReader r = new ProtoReader(bytes.toByteArray());
        assertThat(r.next()).isTrue();
        assertThat(r.string()).isEqualTo("héllo");
        assertThat(r.next()).isTrue();
        assertThat(r.int32()).isEqualTo(-5);
    }

    @Test
    void aMessageFieldThatAppearsTwiceIsMerged() throws Exception {
        // Duration{seconds: 3} then Duration{nanos: 7} under the same field: protobuf merges them.
        byte[] first = Duration.newBuilder().setSeconds(3).build().toByteArray();
        byte[] second = Duration.newBuilder().setNanos(7).build().toByteArray();
        byte[] outer = new ProtoWriter().bytes(4, first).bytes(4, second).toByteArray();
        ProtoReader r = new ProtoReader(outer);
        byte[] merged = null;
        while (r.next()) {
            merged = r.message(merged);
        }
        assertThat(Duration.parseFrom(merged)).isEqualTo(Duration.newBuilder().setSeconds(3).setNanos(7).build());
    }

    @Test
    void writesWhatProtobufReads() throws Exception {
        ProtoWriter metadata = new ProtoWriter().message(1, new ProtoWriter().stringAlways(1, "port")
                .message(2, new ProtoWriter().float64(2, 0)));
        byte[] node = new ProtoWriter().string(1, "n-1").string(2, "").message(3, metadata).toByteArray();
        byte[] request = new ProtoWriter().string(1, "v1").bytes(2, node).stringAlways(3, "").stringAlways(3, "b")
                .string(4, "type").int32(6, -1).toByteArray();
        DiscoveryRequest parsed = DiscoveryRequest.parseFrom(request);
        assertThat(parsed.getVersionInfo()).isEqualTo("v1");
        assertThat(parsed.getResourceNamesList()).containsExactly("", "b");
        assertThat(parsed.getNode()).isEqualTo(Node.newBuilder().setId("n-1").setMetadata(Struct.newBuilder()
                .putFields("port", Value.newBuilder().setNumberValue(0).build())).build());
        assertThat(parsed.getNode().getMetadata().getFieldsOrThrow("port").getKindCase()).isEqualTo(Value.KindCase.NUMBER_VALUE);
        assertThat(new ProtoWriter().string(1, "x").toDelimitedByteArray()).startsWith(3, 10, 1, 'x');
    }

    @Test
    void malformedBytesAreRefusedSayingWhy() {
        assertThatThrownBy(() -> fields(new byte[] {(byte) 0x80})).hasMessage("truncated varint");
        assertThatThrownBy(() -> fields(new byte[] {8, (byte) 0x80})).hasMessage("truncated varint after field 1");
        assertThatThrownBy(() -> fields(new byte[] {10, 5, 'a'})).hasMessage("field 1: length 5 runs past the end of the message");
        assertThatThrownBy(() -> fields(new byte[] {9, 1, 2})).hasMessage("field 1: truncated");
        assertThatThrownBy(() -> fields(new byte[] {0, 1})).hasMessage("invalid field number 0");
        assertThatThrownBy(() -> fields(new byte[] {11})).hasMessage("field 1: groups are not supported");
        assertThatThrownBy(() -> fields(new byte[] {14})).hasMessage("field 1: invalid wire type 6");
        byte[] tooLong = new byte[11];
        java.util.Arrays.fill(tooLong, (byte) 0xff);
        assertThatThrownBy(() -> fields(tooLong)).hasMessage("varint longer than 10 bytes");
        assertThatThrownBy(() -> {
            ProtoReader r = new ProtoReader(new byte[] {10, 2, (byte) 0xc3, 0x28});
            r.next();
            r.string();
        }).hasMessage("field 1: string is not valid UTF-8");
        assertThatThrownBy(() -> {
            ProtoReader r = new ProtoReader(new byte[] {8, 1});
            r.next();
            r.string();
        }).hasMessage("field 1 has wire type 0, expected 2");
        assertThatThrownBy(() -> new ProtoReader(new byte[] {5, 1}).delimited()).hasMessage("length 5 runs past the end of the message");
    }

    @Test
    void anyKeepsItsBytesToItself() throws Exception {
        byte[] value = {1, 2, 3};
        ProtoAny any = new ProtoAny("type.googleapis.com/a.B", value);
        value[0] = 9;
        assertThat(any.value()).containsExactly(1, 2, 3);
        assertThat(any.typeName()).isEqualTo("a.B");
        assertThat(any).isEqualTo(ProtoAny.decode(new ProtoReader(any.encode().toByteArray())));
        assertThat(com.google.protobuf.Any.parseFrom(any.encode().toByteArray()).getValue().toByteArray()).containsExactly(1, 2, 3);
    }
}
