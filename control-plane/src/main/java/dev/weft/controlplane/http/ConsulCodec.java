package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
import dev.weft.api.ValidationException;
import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.registry.CheckState;
import dev.weft.controlplane.registry.InstanceEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Consul's JSON shapes (CamelCase, decoded case-insensitively as Consul does) to and from the
 * registry's records. Field paths in errors use Consul's names ({@code Checks[1].TTL}).
 */
final class ConsulCodec {
    static final String MESH_PORT_META = "weft-mesh-port";
    static final String ZONE_META = "weft-zone";
    static final String DEFAULT_ADDRESS = "127.0.0.1";
    private static final List<String> UNSUPPORTED_CHECKS =
            List.of("Args", "ScriptArgs", "GRPC", "H2PING", "UDP", "DockerContainerID", "AliasService", "AliasNode", "OSService");
    private static final Map<String, String> INSTANCE_FIELD_NAMES = Map.of(
            "service", "Name", "id", "ID", "address", "Address", "port", "Port", "mesh_port", "Meta[\"" + MESH_PORT_META + "\"]",
            "zone", "Meta[\"" + ZONE_META + "\"]", "weight", "Weights.Passing", "tags", "Tags", "meta", "Meta");
    private static final Map<String, String> CHECK_FIELD_NAMES = Map.of(
            "id", "CheckID", "name", "Name", "ttl", "TTL", "http", "HTTP", "tcp", "TCP", "interval", "Interval",
            "timeout", "Timeout", "deregister_critical_after", "DeregisterCriticalServiceAfter", "status", "Status");

    private ConsulCodec() {}

    /** The body of {@code PUT /v1/agent/service/register}. */
    static Registration registration(ObjectNode body) {
        JsonFields f = JsonFields.caseInsensitive(body);
        String name = f.string("Name");
        String id = f.string("ID");
        if (id == null || id.isEmpty()) {
            id = name;
        }
        String address = f.string("Address");
        if (address == null || address.isEmpty()) {
            address = DEFAULT_ADDRESS;
        }
        Integer port = f.integer("Port");
        Map<String, String> meta = f.stringMap("Meta");
        int meshPort = 0;
        String zone = null;
        if (meta != null) {
            String mp = meta.get(MESH_PORT_META);
            if (mp != null) {
                try {
                    meshPort = Integer.parseInt(mp);
                } catch (NumberFormatException e) {
                    throw new ValidationException(INSTANCE_FIELD_NAMES.get("mesh_port"), "must be a port number, not '" + GoDuration.printable(mp) + "'");
                }
            }
            zone = meta.get(ZONE_META);
        }
        int weight = Instance.DEFAULT_WEIGHT;
        JsonFields weights = f.object("Weights", "Weights");
        if (weights != null) {
            Integer passing = weights.integer("Passing");
            weights.integer("Warning"); // type-checked; Weft has one weight
            if (passing != null) {
                weight = passing;
            }
        }
        Instance instance;
        try {
            instance = new Instance(name, id, address, port == null ? 0 : port, meshPort, f.strings("Tags"), meta, zone, weight);
        } catch (ValidationException e) {
            throw rename(e, INSTANCE_FIELD_NAMES, "");
        }

        // Consul's order: the single Check first, then Checks; empty definitions are skipped.
        List<JsonFields> defs = new ArrayList<>();
        JsonFields single = f.object("Check", "Check");
        if (single != null && !single.isEmpty()) {
            defs.add(single);
        }
        List<JsonFields> many = f.objects("Checks");
        if (many != null) {
            many.stream().filter(c -> !c.isEmpty()).forEach(defs::add);
        }
        List<CheckSpec> specs = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            specs.add(check(defs.get(i), NativeCodec.defaultCheckId(id, i, defs.size()), name));
        }
        try {
            return new Registration(instance, specs);
        } catch (ValidationException e) {
            // checks[i].id -> the path of the i-th definition
            String field = e.field();
            if (field.startsWith("checks[")) {
                int i = Integer.parseInt(field.substring(7, field.indexOf(']')));
                throw rename(new ValidationException(field.substring(field.indexOf(']') + 2), e.reason()), CHECK_FIELD_NAMES, defs.get(i).path());
            }
            throw rename(e, Map.of("checks", "Checks"), "");
        }
    }

    private static CheckSpec check(JsonFields c, String defaultId, String serviceName) {
        for (String unsupported : UNSUPPORTED_CHECKS) {
            if (c.has(unsupported) && !(c.get(unsupported).isContainerNode() && c.get(unsupported).isEmpty())
                    && !(c.get(unsupported).isTextual() && c.get(unsupported).textValue().isEmpty())) {
                throw new ValidationException(c.path(unsupported), unsupported + " checks are not supported by Weft; use TTL, HTTP or TCP");
            }
        }
        List<String> kinds = new ArrayList<>();
        for (String k : List.of("TTL", "HTTP", "TCP")) {
            if (c.has(k) && !(c.get(k).isTextual() && c.get(k).textValue().isEmpty())) {
                kinds.add(k);
            }
        }
        if (kinds.size() > 1) {
            throw new ValidationException(c.path(), "has " + String.join(" and ", kinds) + "; a check has exactly one of TTL, HTTP, TCP");
        }
        if (kinds.isEmpty()) {
            throw new ValidationException(c.path(), "needs one of TTL, HTTP or TCP");
        }
        String id = c.string("CheckID");
        if (id == null || id.isEmpty()) {
            id = c.string("ID");
        }
        String checkName = c.string("Name");
        if (checkName == null || checkName.isEmpty()) {
            checkName = "Service '" + serviceName + "' check";
        }
        String status = c.string("Status");
        CheckType type = CheckType.valueOf(kinds.get(0));
        try {
            return new CheckSpec(id == null || id.isEmpty() ? defaultId : id, checkName, type,
                    duration(c, "TTL"), c.string("HTTP"), c.string("TCP"), duration(c, "Interval"), duration(c, "Timeout"),
                    duration(c, "DeregisterCriticalServiceAfter"),
                    status == null || status.isEmpty() ? null : HealthStatus.parse("status", status));
        } catch (ValidationException e) {
            throw rename(e, CHECK_FIELD_NAMES, c.path());
        }
    }

    /** Consul takes durations as Go strings, or as numbers of nanoseconds. */
    private static Duration duration(JsonFields c, String name) {
        JsonNode v = c.get(name);
        if (v == null || (v.isTextual() && v.textValue().isEmpty())) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Duration.ofNanos(v.longValue());
        }
        if (!v.isTextual()) {
            throw new ValidationException(c.path(name), "must be a duration such as \"10s\", not " + JsonFields.describe(v));
        }
        return GoDuration.parse(c.path(name), v.textValue());
    }

    /** The body of {@code PUT /v1/agent/check/update/:check_id}. */
    static NativeCodec.StatusReport statusUpdate(ObjectNode body) {
        JsonFields f = JsonFields.caseInsensitive(body);
        String status = f.string("Status");
        String output = f.string("Output");
        HealthStatus s;
        try {
            s = HealthStatus.parse("Status", status);
        } catch (ValidationException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "Status",
                    "Invalid check status: '" + (status == null ? "" : GoDuration.printable(status)) + "'");
        }
        return new NativeCodec.StatusReport(s, output == null ? "" : output);
    }

    /** A Weft field path in Consul's names, under {@code parent}. */
    private static ValidationException rename(ValidationException e, Map<String, String> names, String parent) {
        String field = e.field();
        int end = 0;
        while (end < field.length() && (Character.isLetterOrDigit(field.charAt(end)) || field.charAt(end) == '_')) {
            end++;
        }
        String head = field.substring(0, end);
        String renamed = names.getOrDefault(head, head) + field.substring(end);
        if (renamed.startsWith("Meta.")) {
            renamed = "Meta[\"" + renamed.substring(5) + "\"]";
        }
        String full = parent.isEmpty() ? renamed : renamed.isEmpty() ? parent : parent + "." + renamed;
        return new ValidationException(full, e.reason());
    }

    /** A validation failure as Consul words it: plain text naming the field. */
    static ApiException error(ValidationException e) {
        String message = e.field().startsWith("Meta") ? "Invalid Service Meta: " + e.getMessage() : e.getMessage();
        return ApiException.badRequest(e.field(), message);
    }

    // ---- rendering ----------------------------------------------------------------------------

    /** Consul has nodes; Weft has one node per instance address. */
    static String nodeName(String address) {
        return "weft-" + address.replace(':', '-');
    }

    static String nodeId(String nodeName) {
        return UUID.nameUUIDFromBytes(("weft-node/" + nodeName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static ObjectNode taggedAddresses(String address) {
        boolean v6 = address.indexOf(':') >= 0;
        String suffix = v6 ? "_ipv6" : "_ipv4";
        return Dialect.JSON.createObjectNode().put("lan", address).put("lan" + suffix, address)
                .put("wan", address).put("wan" + suffix, address);
    }

    static ObjectNode nodeMeta() {
        return Dialect.JSON.createObjectNode().put("consul-network-segment", "");
    }

    static ObjectNode weights(Instance i) {
        return Dialect.JSON.createObjectNode().put("Passing", i.weight()).put("Warning", 1);
    }

    static ArrayNode tags(Instance i) {
        ArrayNode a = Dialect.JSON.createArrayNode();
        i.tags().forEach(a::add);
        return a;
    }

    static ObjectNode meta(Instance i) {
        ObjectNode m = Dialect.JSON.createObjectNode();
        new LinkedHashMap<>(i.meta()).forEach(m::put);
        return m;
    }

    /** A CatalogService, as {@code /v1/catalog/service/:name} lists them. */
    static ObjectNode catalogService(InstanceEntry e, String datacenter) {
        Instance i = e.instance();
        String node = nodeName(i.address());
        ObjectNode o = Dialect.JSON.createObjectNode()
                .put("ID", nodeId(node))
                .put("Node", node)
                .put("Address", i.address())
                .put("Datacenter", datacenter);
        o.set("TaggedAddresses", taggedAddresses(i.address()));
        o.set("NodeMeta", nodeMeta());
        o.put("ServiceKind", "").put("ServiceID", i.id()).put("ServiceName", i.service());
        o.set("ServiceTags", tags(i));
        o.put("ServiceAddress", i.address());
        o.set("ServiceWeights", weights(i));
        o.set("ServiceMeta", meta(i));
        o.put("ServicePort", i.port()).put("ServiceEnableTagOverride", false)
                .put("CreateIndex", e.createIndex()).put("ModifyIndex", e.modifyIndex());
        return o;
    }

    /** A ServiceEntry, as {@code /v1/health/service/:name} lists them, with a passing serfHealth node check. */
    static ObjectNode healthEntry(InstanceEntry e, String datacenter) {
        Instance i = e.instance();
        String node = nodeName(i.address());
        ObjectNode o = Dialect.JSON.createObjectNode();
        ObjectNode n = o.putObject("Node")
                .put("ID", nodeId(node))
                .put("Node", node)
                .put("Address", i.address())
                .put("Datacenter", datacenter);
        n.set("TaggedAddresses", taggedAddresses(i.address()));
        n.set("Meta", nodeMeta());
        n.put("CreateIndex", e.createIndex()).put("ModifyIndex", e.createIndex());
        ObjectNode s = o.putObject("Service").put("ID", i.id()).put("Service", i.service());
        s.set("Tags", tags(i));
        s.put("Address", i.address());
        s.set("Meta", meta(i));
        s.put("Port", i.port());
        s.set("Weights", weights(i));
        s.put("EnableTagOverride", false).put("CreateIndex", e.createIndex()).put("ModifyIndex", e.modifyIndex());
        ArrayNode checks = o.putArray("Checks");
        checks.addObject().put("Node", node).put("CheckID", "serfHealth").put("Name", "Serf Health Status")
                .put("Status", "passing").put("Notes", "").put("Output", "Agent alive and reachable")
                .put("ServiceID", "").put("ServiceName", "").putArray("ServiceTags");
        ObjectNode serf = (ObjectNode) checks.get(0);
        serf.put("Type", "").putObject("Definition");
        serf.put("CreateIndex", e.createIndex()).put("ModifyIndex", e.createIndex());
        for (CheckState c : e.checks()) {
            ObjectNode co = checks.addObject().put("Node", node).put("CheckID", c.spec().id()).put("Name", c.spec().name())
                    .put("Status", c.status().wireName()).put("Notes", "").put("Output", c.output())
                    .put("ServiceID", i.id()).put("ServiceName", i.service());
            co.set("ServiceTags", tags(i));
            co.put("Type", c.spec().type().name().toLowerCase(Locale.ROOT));
            co.putObject("Definition");
            co.put("CreateIndex", e.createIndex()).put("ModifyIndex", Math.max(e.createIndex(), c.modifyIndex()));
        }
        return o;
    }
}
