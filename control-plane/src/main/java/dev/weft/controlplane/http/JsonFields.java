package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.api.ValidationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to the fields of one JSON object, with errors naming the field by its full path
 * ({@code checks[0].ttl}). Native bodies match names exactly; Consul bodies match them as Consul
 * does, ignoring case (and, as Consul's config decoder does, '_' so that {@code deregister_critical_service_after}
 * works too).
 */
final class JsonFields {
    private final ObjectNode node;
    private final String path;
    private final boolean consul;
    private final Map<String, String> actualNames = new HashMap<>();

    private JsonFields(ObjectNode node, String path, boolean consul) {
        this.node = node;
        this.path = path;
        this.consul = consul;
        if (consul) {
            node.fieldNames().forEachRemaining(n -> actualNames.put(normalize(n), n));
        }
    }

    static JsonFields exact(ObjectNode node) {
        return new JsonFields(node, "", false);
    }

    static JsonFields caseInsensitive(ObjectNode node) {
        return new JsonFields(node, "", true);
    }

    /** The full path of a field of this object. */
    String path(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    String path() {
        return path;
    }

    /** The value, or null when absent or JSON null. */
    JsonNode get(String name) {
        JsonNode v = node.get(consul ? actualNames.getOrDefault(normalize(name), name) : name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    /** Refuses the first field not in {@code allowed}. */
    void rejectUnknown(Set<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw new ValidationException(path(n), "unknown field (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    String string(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ValidationException(path(name), "must be a string, not " + describe(v));
        }
        return v.textValue();
    }

    Integer integer(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ValidationException(path(name), "must be an integer, not " + describe(v));
        }
        return v.intValue();
    }

    Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new ValidationException(path(name), "must be true or false, not " + describe(v));
        }
        return v.booleanValue();
    }

    List<String> strings(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new ValidationException(path(name), "must be an array of strings, not " + describe(v));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw new ValidationException(path(name) + "[" + i + "]", "must be a string, not " + describe(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    Map<String, String> stringMap(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw new ValidationException(path(name), "must be an object of strings, not " + describe(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ValidationException(path(name) + "." + e.getKey(), "must be a string, not " + describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** A nested object, or null when absent. */
    JsonFields object(String name, String displayPath) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw new ValidationException(displayPath, "must be an object, not " + describe(v));
        }
        return new JsonFields((ObjectNode) v, displayPath, consul);
    }

    /** A list of nested objects, or null when absent; element paths are {@code name[i]}. */
    List<JsonFields> objects(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new ValidationException(path(name), "must be an array of objects, not " + describe(v));
        }
        List<JsonFields> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            String p = path(name) + "[" + i + "]";
            if (!v.get(i).isObject()) {
                throw new ValidationException(p, "must be an object, not " + describe(v.get(i)));
            }
            out.add(new JsonFields((ObjectNode) v.get(i), p, consul));
        }
        return out;
    }

    /** True when every field is absent, null, empty or zero (Consul ignores such checks). */
    boolean isEmpty() {
        Iterator<JsonNode> it = node.elements();
        while (it.hasNext()) {
            JsonNode v = it.next();
            boolean empty = v.isNull() || (v.isTextual() && v.textValue().isEmpty()) || (v.isContainerNode() && v.isEmpty())
                    || (v.isNumber() && v.asDouble() == 0) || (v.isBoolean() && !v.booleanValue());
            if (!empty) {
                return false;
            }
        }
        return true;
    }

    static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "the string \"" + GoDuration.printable(v.textValue()) + "\"";
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isObject()) {
            return "an object";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isNumber()) {
            return "the number " + GoDuration.printable(v.asText());
        }
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String normalize(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
