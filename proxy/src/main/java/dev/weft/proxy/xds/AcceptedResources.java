package dev.weft.proxy.xds;

import dev.weft.proxy.xds.wire.ProtoAny;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The raw resources the client has accepted, per type, with their versions: what /config_dump
 * shows and what the last-known-good file holds. Immutable.
 */
record AcceptedResources(Map<ResourceType, String> versions, Map<ResourceType, List<ProtoAny>> resources) {
    static final AcceptedResources EMPTY = new AcceptedResources(Map.of(), Map.of());

    AcceptedResources {
        EnumMap<ResourceType, String> v = new EnumMap<>(ResourceType.class);
        EnumMap<ResourceType, List<ProtoAny>> r = new EnumMap<>(ResourceType.class);
        for (ResourceType t : ResourceType.values()) {
            v.put(t, versions.getOrDefault(t, ""));
            r.put(t, List.copyOf(resources.getOrDefault(t, List.of())));
        }
        versions = java.util.Collections.unmodifiableMap(v);
        resources = java.util.Collections.unmodifiableMap(r);
    }
}
