package dev.weft.proxy.xds;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.weft.proxy.xds.wire.ProtoAny;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/**
 * The accepted resources as JSON for the admin /config_dump, with nested Anys expanded. The only
 * place the sidecar uses Envoy's generated classes and protobuf's JSON printer: they load (about
 * 700 classes) on the first dump an operator asks for, not on the request or xDS path.
 */
final class ConfigDump {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                    .add(Cluster.getDescriptor())
                    .add(ClusterLoadAssignment.getDescriptor())
                    .add(Listener.getDescriptor())
                    .add(RouteConfiguration.getDescriptor())
                    .add(HttpConnectionManager.getDescriptor())
                    .add(Router.getDescriptor())
                    .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
                    .build())
            .omittingInsignificantWhitespace();

    private ConfigDump() {
    }

    static String toJson(AcceptedResources accepted) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode versions = root.putObject("versions");
        ObjectNode resources = root.putObject("resources");
        for (ResourceType t : ResourceType.values()) {
            String key = t.name().toLowerCase(Locale.ROOT);
            versions.put(key, accepted.versions().get(t));
            ArrayNode list = resources.putArray(key);
            for (ProtoAny any : accepted.resources().get(t)) {
                list.add(resource(Any.newBuilder().setTypeUrl(any.typeUrl()).setValue(ByteString.copyFrom(any.value())).build()));
            }
        }
        return root.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode resource(Any any) {
        try {
            return JSON.readTree(PRINTER.print(any));
        } catch (IOException e) {
            // An is_optional filter of a type this build does not know: show it undecoded.
            ObjectNode n = JSON.createObjectNode();
            n.put("@type", any.getTypeUrl());
            n.put("undecoded", e.getMessage());
            n.put("value_base64", Base64.getEncoder().encodeToString(any.getValue().toByteArray()));
            return n;
        }
    }
}
