package dev.weft.bench;

import dev.weft.controlplane.registry.Catalog;
import dev.weft.controlplane.registry.ServiceEntry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** A catalog that never changes, for benchmarks of the read side. */
final class StaticCatalog implements Catalog {
    private final Map<String, ServiceEntry> services;
    private final long index;

    StaticCatalog(Collection<ServiceEntry> entries, long index) {
        Map<String, ServiceEntry> m = new TreeMap<>();
        entries.forEach(e -> m.put(e.name(), e));
        this.services = Map.copyOf(m);
        this.index = index;
    }

    @Override
    public long index() {
        return index;
    }

    @Override
    public Optional<ServiceEntry> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    @Override
    public Collection<ServiceEntry> services() {
        return new TreeMap<>(services).values();
    }

    @Override
    public long serviceIndex(String name) {
        ServiceEntry e = services.get(name);
        return e == null ? index : e.modifyIndex();
    }

    @Override
    public CompletableFuture<Long> awaitService(String name, long index, Duration wait) {
        return CompletableFuture.completedFuture(serviceIndex(name));
    }

    @Override
    public CompletableFuture<Long> awaitCatalog(long index, Duration wait) {
        return CompletableFuture.completedFuture(this.index);
    }
}
