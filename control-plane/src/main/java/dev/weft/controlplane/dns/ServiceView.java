package dev.weft.controlplane.dns;

import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The records of one published {@link ServiceEntry}: all its healthy instances, and per tag. */
final class ServiceView {
    final ServiceEntry entry;
    final ServiceRecords all;
    private final Map<String, ServiceRecords> byTag;

    private ServiceView(ServiceEntry entry, ServiceRecords all, Map<String, ServiceRecords> byTag) {
        this.entry = entry;
        this.all = all;
        this.byTag = byTag;
    }

    static ServiceView of(ServiceEntry entry) {
        Map<String, List<InstanceEntry>> tagged = new LinkedHashMap<>();
        for (InstanceEntry instance : entry.healthy()) {
            for (String tag : instance.instance().tags()) {
                tagged.computeIfAbsent(tag, t -> new ArrayList<>()).add(instance);
            }
        }
        Map<String, ServiceRecords> byTag = new HashMap<>();
        tagged.forEach((tag, instances) -> byTag.put(tag, ServiceRecords.of(instances)));
        return new ServiceView(entry, ServiceRecords.of(entry.healthy()), byTag);
    }

    /** Whether this view still shows {@code current}: the same published value, or the same change. */
    boolean shows(ServiceEntry current) {
        return entry == current || entry.modifyIndex() == current.modifyIndex();
    }

    /** The records of the instances with {@code tag} (lower case), or null when none has it. */
    ServiceRecords tagged(String tag) {
        return byTag.get(tag);
    }
}
