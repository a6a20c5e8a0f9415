package dev.weft.controlplane.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of registrations and check status. Kept separate from the HTTP shapes so that
 * the API can evolve without rewriting stored data; every field is written explicitly.
 */
final class RegistryCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryCodec() {}

    static byte[] encodeRegistration(Registration r) {
        Instance i = r.instance();
        ObjectNode n = JSON.createObjectNode();
        n.put("v", 1);
        n.put("service", i.service());
        n.put("id", i.id());
        n.put("address", i.address());
        n.put("port", i.port());
        n.put("mesh_port", i.meshPort());
        ArrayNode tags = n.putArray("tags");
        i.tags().forEach(tags::add);
        ObjectNode meta = n.putObject("meta");
        i.meta().forEach(meta::put);
        n.put("zone", i.zone());
        n.put("weight", i.weight());
        ArrayNode checks = n.putArray("checks");
        for (CheckSpec c : r.checks()) {
            ObjectNode cn = checks.addObject();
            cn.put("id", c.id());
            cn.put("name", c.name());
            cn.put("type", c.type().name());
            putMillis(cn, "ttl_ms", c.ttl());
            if (c.httpUrl() != null) {
                cn.put("http", c.httpUrl());
            }
            if (c.tcpAddress() != null) {
                cn.put("tcp", c.tcpAddress());
            }
            putMillis(cn, "interval_ms", c.interval());
            putMillis(cn, "timeout_ms", c.timeout());
            putMillis(cn, "deregister_critical_after_ms", c.deregisterCriticalAfter());
            cn.put("initial_status", c.initialStatus().name());
        }
        return write(n);
    }

    static Registration decodeRegistration(byte[] bytes) {
        JsonNode n = read(bytes);
        List<String> tags = new ArrayList<>();
        n.path("tags").forEach(t -> tags.add(t.asText()));
        Map<String, String> meta = new LinkedHashMap<>();
        n.path("meta").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
        Instance instance = new Instance(
                n.path("service").asText(),
                n.path("id").asText(),
                n.path("address").asText(),
                n.path("port").asInt(),
                n.path("mesh_port").asInt(),
                tags,
                meta,
                n.path("zone").asText(""),
                n.path("weight").asInt(1));
        List<CheckSpec> checks = new ArrayList<>();
        for (JsonNode c : n.path("checks")) {
            checks.add(new CheckSpec(
                    c.path("id").asText(),
                    c.path("name").asText(),
                    CheckType.valueOf(c.path("type").asText()),
                    millis(c, "ttl_ms"),
                    c.hasNonNull("http") ? c.get("http").asText() : null,
                    c.hasNonNull("tcp") ? c.get("tcp").asText() : null,
                    millis(c, "interval_ms"),
                    millis(c, "timeout_ms"),
                    millis(c, "deregister_critical_after_ms"),
                    HealthStatus.valueOf(c.path("initial_status").asText("CRITICAL"))));
        }
        return new Registration(instance, checks);
    }

    record StoredStatus(HealthStatus status, String output) {}

    static byte[] encodeStatus(HealthStatus status, String output) {
        ObjectNode n = JSON.createObjectNode();
        n.put("status", status.name());
        n.put("output", output);
        return write(n);
    }

    static StoredStatus decodeStatus(byte[] bytes) {
        JsonNode n = read(bytes);
        return new StoredStatus(HealthStatus.valueOf(n.path("status").asText()), n.path("output").asText(""));
    }

    private static void putMillis(ObjectNode n, String field, Duration d) {
        if (d != null) {
            n.put(field, d.toMillis());
        }
    }

    private static Duration millis(JsonNode n, String field) {
        return n.hasNonNull(field) ? Duration.ofMillis(n.get(field).asLong()) : null;
    }

    private static byte[] write(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode registry record", e);
        }
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("stored registry record is not valid JSON", e);
        }
    }
}
