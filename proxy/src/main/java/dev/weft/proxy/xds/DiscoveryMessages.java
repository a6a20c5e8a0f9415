package dev.weft.proxy.xds;

import dev.weft.proxy.config.UpstreamProtocol;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoAny;
import dev.weft.proxy.xds.wire.ProtoReader;
import dev.weft.proxy.xds.wire.ProtoWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The ADS stream's messages, encoded and decoded by field number (envoy.service.discovery.v3):
 * DiscoveryRequest {version_info = 1; node = 2; resource_names = 3; type_url = 4; response_nonce = 5;
 * error_detail = 6 (google.rpc.Status {code = 1; message = 2})} and DiscoveryResponse {version_info = 1;
 * resources = 2; type_url = 4; nonce = 5}.
 */
final class DiscoveryMessages {
    /** google.rpc.Code.INVALID_ARGUMENT, the code of a NACK's error_detail. */
    static final int INVALID_ARGUMENT = 3;

    private DiscoveryMessages() {
    }

    /** A DiscoveryResponse; only the fields the client reads. */
    record Response(String versionInfo, List<ProtoAny> resources, String typeUrl, String nonce) {
        Response {
            resources = List.copyOf(resources);
        }

        static Response decode(ProtoReader r) throws MalformedProtoException {
            String version = "";
            List<ProtoAny> resources = new ArrayList<>();
            String typeUrl = "";
            String nonce = "";
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> version = r.string();
                    case 2 -> resources.add(ProtoAny.decode(r.message()));
                    case 4 -> typeUrl = r.string();
                    case 5 -> nonce = r.string();
                    default -> r.skip();
                }
            }
            return new Response(version, resources, typeUrl, nonce);
        }

        /** The fields the last-known-good file keeps: version_info, resources and type_url. */
        ProtoWriter encode() {
            ProtoWriter w = new ProtoWriter().string(1, versionInfo);
            for (ProtoAny any : resources) {
                w.message(2, any.encode());
            }
            return w.string(4, typeUrl).string(5, nonce);
        }
    }

    /**
     * envoy.config.core.v3.Node {id = 1; cluster = 2; metadata = 3 (Struct); user_agent_name = 6},
     * encoded once per client; the metadata carries what the control plane builds this sidecar's
     * listeners from.
     */
    static byte[] node(XdsClientOptions o) {
        ProtoWriter metadata = new ProtoWriter();
        structString(metadata, "weft.service", o.service());
        structString(metadata, "weft.bind", o.bind());
        structNumber(metadata, "weft.outbound_port", o.outboundPort());
        structNumber(metadata, "weft.inbound_port", o.inboundPort());
        structNumber(metadata, "weft.app_port", o.appPort());
        structString(metadata, "weft.app_protocol", o.appProtocol() == UpstreamProtocol.HTTP2 ? "http2" : "http1");
        return new ProtoWriter()
                .string(1, o.nodeId())
                .string(2, o.service())
                .message(3, metadata)
                .string(6, "weft")
                .toByteArray();
    }

    /** A Struct entry {key = 1; value = 2 (Value {string_value = 3})}. */
    private static void structString(ProtoWriter struct, String key, String value) {
        struct.message(1, new ProtoWriter().stringAlways(1, key).message(2, new ProtoWriter().stringAlways(3, value)));
    }

    /** A Struct entry {key = 1; value = 2 (Value {number_value = 2})}. */
    private static void structNumber(ProtoWriter struct, String key, double value) {
        struct.message(1, new ProtoWriter().stringAlways(1, key).message(2, new ProtoWriter().float64(2, value)));
    }

    /** A DiscoveryRequest; {@code errorDetail} null for an ACK or a subscription, else the NACK's reason. */
    static byte[] request(byte[] node, String typeUrl, String versionInfo, String nonce, Collection<String> names, String errorDetail) {
        ProtoWriter w = new ProtoWriter()
                .string(1, versionInfo)
                .bytes(2, node);
        for (String name : names) {
            w.stringAlways(3, name);
        }
        w.string(4, typeUrl).string(5, nonce);
        if (errorDetail != null) {
            w.message(6, new ProtoWriter().int32(1, INVALID_ARGUMENT).string(2, errorDetail));
        }
        return w.toByteArray();
    }
}
