package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.api.ValidationException;
import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.registry.CheckState;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The native API's JSON (snake_case) to and from the registry's records. */
final class NativeCodec {
    private static final Set<String> INSTANCE_FIELDS =
            Set.of("service", "id", "address", "port", "mesh_port", "tags", "meta", "zone", "weight", "checks");
    private static final Set<String> CHECK_FIELDS =
            Set.of("id", "name", "type", "ttl", "http", "tcp", "interval", "timeout", "deregister_critical_after", "status");
    private static final Set<String> STATUS_FIELDS = Set.of("status", "output");

    private NativeCodec() {}

    /** The body of {@code PUT /api/v1/services/{service}/instances/{id}}. */
    static Registration registration(String service, String id, ObjectNode body) {
        JsonFields f = JsonFields.exact(body);
        f.rejectUnknown(INSTANCE_FIELDS);
        samePathValue(f, "service", service);
        samePathValue(f, "id", id);
        Integer port = f.integer("port");
        if (port == null) {
            throw new ValidationException("port", "is required");
        }
        if (!f.has("address")) {
            throw new ValidationException("address", "is required");
        }
        Integer meshPort = f.integer("mesh_port");
        Integer weight = f.integer("weight");
        Instance instance = new Instance(service, id, f.string("address"), port, meshPort == null ? 0 : meshPort,
                f.strings("tags"), f.stringMap("meta"), f.string("zone"), weight == null ? Instance.DEFAULT_WEIGHT : weight);
        List<JsonFields> checks = f.objects("checks");
        List<CheckSpec> specs = new ArrayList<>();
        if (checks != null) {
            for (int i = 0; i < checks.size(); i++) {
                specs.add(check(checks.get(i), defaultCheckId(id, i, checks.size())));
            }
        }
        return new Registration(instance, specs);
    }

    /** Consul's naming of checks without an id: {@code service:<id>}, or {@code service:<id>:<n>} from 1 when several. */
    static String defaultCheckId(String instanceId, int position, int count) {
        return count == 1 ? "service:" + instanceId : "service:" + instanceId + ":" + (position + 1);
    }

    private static CheckSpec check(JsonFields c, String defaultId) {
        c.rejectUnknown(CHECK_FIELDS);
        List<String> kinds = new ArrayList<>();
        for (String k : List.of("ttl", "http", "tcp")) {
            if (c.has(k)) {
                kinds.add(k);
            }
        }
        String type = c.string("type");
        if (type != null && !List.of("ttl", "http", "tcp").contains(type)) {
            throw new ValidationException(c.path("type"), "must be one of ttl, http, tcp");
        }
        if (kinds.size() > 1) {
            throw new ValidationException(c.path(), "has " + String.join(" and ", kinds) + "; a check has exactly one of ttl, http, tcp");
        }
        if (kinds.isEmpty()) {
            if (type != null) {
                throw new ValidationException(c.path(type), "is required for a " + type + " check");
            }
            throw new ValidationException(c.path(), "needs one of ttl, http or tcp");
        }
        String kind = kinds.get(0);
        if (type != null && !type.equals(kind)) {
            throw new ValidationException(c.path("type"), "is '" + type + "' but the check sets " + kind);
        }
        if (kind.equals("ttl")) {
            for (String probeOnly : List.of("interval", "timeout")) {
                if (c.has(probeOnly)) {
                    throw new ValidationException(c.path(probeOnly), "applies to http and tcp checks only");
                }
            }
        }
        String id = c.string("id");
        String status = c.string("status");
        CheckType checkType = CheckType.valueOf(kind.toUpperCase(Locale.ROOT));
        Duration ttl = duration(c, "ttl");
        Duration interval = duration(c, "interval");
        Duration timeout = duration(c, "timeout");
        Duration dca = duration(c, "deregister_critical_after");
        HealthStatus initial = status == null ? null : HealthStatus.parse(c.path("status"), status);
        try {
            return new CheckSpec(id == null ? defaultId : id, c.string("name"), checkType, ttl, c.string("http"), c.string("tcp"),
                    interval, timeout, dca, initial);
        } catch (ValidationException e) {
            throw e.under(c.path());
        }
    }

    private static Duration duration(JsonFields c, String name) {
        String s = c.string(name);
        return s == null ? null : GoDuration.parse(c.path(name), s);
    }

    private static void samePathValue(JsonFields f, String name, String fromPath) {
        String v = f.string(name);
        if (v != null && !v.equals(fromPath)) {
            throw new ValidationException(name, "'" + GoDuration.printable(v) + "' does not match the " + name + " in the path ('" + fromPath + "')");
        }
    }

    /** The body of {@code PUT /api/v1/checks/{check_id}/status}. */
    record StatusReport(HealthStatus status, String output) {}

    static StatusReport statusReport(ObjectNode body) {
        JsonFields f = JsonFields.exact(body);
        f.rejectUnknown(STATUS_FIELDS);
        String s = f.string("status");
        if (s == null) {
            throw new ValidationException("status", "is required");
        }
        String output = f.string("output");
        return new StatusReport(HealthStatus.parse("status", s), output == null ? "" : output);
    }

    // ---- rendering ----------------------------------------------------------------------------

    static ObjectNode instance(InstanceEntry e) {
        Instance i = e.instance();
        ObjectNode o = Dialect.JSON.createObjectNode()
                .put("service", i.service())
                .put("id", i.id())
                .put("address", i.address())
                .put("port", i.port())
                .put("mesh_port", i.meshPort());
        ArrayNode tags = o.putArray("tags");
        i.tags().forEach(tags::add);
        ObjectNode meta = o.putObject("meta");
        i.meta().forEach(meta::put);
        o.put("zone", i.zone()).put("weight", i.weight()).put("status", e.status().wireName());
        ArrayNode checks = o.putArray("checks");
        for (CheckState c : e.checks()) {
            CheckSpec s = c.spec();
            ObjectNode co = checks.addObject()
                    .put("id", s.id())
                    .put("name", s.name())
                    .put("type", s.type().name().toLowerCase(Locale.ROOT))
                    .put("status", c.status().wireName())
                    .put("output", c.output());
            switch (s.type()) {
                case TTL -> co.put("ttl", GoDuration.format(s.ttl()));
                case HTTP -> co.put("http", s.httpUrl());
                case TCP -> co.put("tcp", s.tcpAddress());
            }
            if (s.interval() != null) {
                co.put("interval", GoDuration.format(s.interval())).put("timeout", GoDuration.format(s.timeout()));
            }
            if (!s.deregisterCriticalAfter().isZero()) {
                co.put("deregister_critical_after", GoDuration.format(s.deregisterCriticalAfter()));
            }
            co.put("modify_index", c.modifyIndex());
        }
        return o.put("create_index", e.createIndex()).put("modify_index", e.modifyIndex());
    }

    static ObjectNode serviceSummary(ServiceEntry s) {
        int passing = 0, warning = 0, critical = 0;
        Set<String> tags = new LinkedHashSet<>();
        for (InstanceEntry e : s.instances()) {
            switch (e.status()) {
                case PASSING -> passing++;
                case WARNING -> warning++;
                case CRITICAL -> critical++;
            }
            tags.addAll(e.instance().tags());
        }
        ObjectNode o = Dialect.JSON.createObjectNode()
                .put("name", s.name())
                .put("instances", s.instances().size())
                .put("passing", passing)
                .put("warning", warning)
                .put("critical", critical);
        ArrayNode t = o.putArray("tags");
        tags.stream().sorted().forEach(t::add);
        return o;
    }
}
