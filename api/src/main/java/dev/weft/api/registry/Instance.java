package dev.weft.api.registry;

import dev.weft.api.Names;
import dev.weft.api.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One registered instance of a service.
 *
 * @param service the service name (a DNS label)
 * @param id unique across the registry
 * @param address IP literal (v4 or v6) where the app listens
 * @param port the app's port
 * @param meshPort the inbound port of the Weft sidecar in front of the app, or 0 when there is none
 * @param tags DNS-label tags, in registration order, without duplicates
 * @param meta free-form string metadata
 * @param zone locality for zone-aware routing, empty when unknown
 * @param weight relative load-balancing weight, 1 to 10,000
 */
public record Instance(
        String service,
        String id,
        String address,
        int port,
        int meshPort,
        List<String> tags,
        Map<String, String> meta,
        String zone,
        int weight) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;
    public static final int MAX_TAGS = 64;
    public static final int MAX_META = 64;
    private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{0,63}");

    public Instance {
        Names.serviceName("service", service);
        Names.id("id", id);
        address = IpLiterals.canonical("address", address);
        port("port", port);
        if (meshPort != 0) {
            port("mesh_port", meshPort);
        }
        tags = tags == null ? List.of() : validTags(tags);
        meta = meta == null ? Map.of() : validMeta(meta);
        zone = zone == null ? "" : zone;
        if (!ZONE.matcher(zone).matches()) {
            throw new ValidationException("zone", "use at most 63 letters, digits, '.', '_' and '-'");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new ValidationException("weight", "must be between 1 and " + MAX_WEIGHT);
        }
    }

    public boolean hasMeshPort() {
        return meshPort != 0;
    }

    private static void port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new ValidationException(field, "must be between 1 and 65535, was " + port);
        }
    }

    private static List<String> validTags(List<String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new ValidationException("tags", "at most " + MAX_TAGS + " tags");
        }
        List<String> out = new ArrayList<>(tags.size());
        for (int i = 0; i < tags.size(); i++) {
            String tag = Names.tag("tags[" + i + "]", tags.get(i));
            if (!out.contains(tag)) {
                out.add(tag);
            }
        }
        return List.copyOf(out);
    }

    private static Map<String, String> validMeta(Map<String, String> meta) {
        if (meta.size() > MAX_META) {
            throw new ValidationException("meta", "at most " + MAX_META + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k == null || !META_KEY.matcher(k).matches()) {
                throw new ValidationException("meta", "key '" + k + "' must be 1-128 letters, digits, '_' or '-'");
            }
            if (v == null) {
                throw new ValidationException("meta." + k, "must be a string");
            }
            if (v.length() > 512) {
                throw new ValidationException("meta." + k, "at most 512 characters");
            }
            out.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(out);
    }
}
