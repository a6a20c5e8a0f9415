package dev.weft.controlplane.dns;

import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.controlplane.registry.Catalog;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** A plain Catalog holding what a test puts in it; blocking waits complete at once. */
class InMemoryCatalog implements Catalog {
    private final AtomicLong index = new AtomicLong(1);
    private volatile Map<String, ServiceEntry> services = Map.of();

    synchronized InMemoryCatalog put(String service, InstanceEntry... instances) {
        Map<String, ServiceEntry> next = new TreeMap<>(services);
        long i = index.incrementAndGet();
        next.put(service, ServiceEntry.of(service, List.of(instances), i));
        services = next;
        return this;
    }

    synchronized void remove(String service) {
        Map<String, ServiceEntry> next = new TreeMap<>(services);
        next.remove(service);
        index.incrementAndGet();
        services = next;
    }

    static InstanceEntry instance(String service, String id, String address, int port, HealthStatus status, String... tags) {
        return weighted(service, id, address, port, 1, status, tags);
    }

    static InstanceEntry weighted(String service, String id, String address, int port, int weight, HealthStatus status, String... tags) {
        Instance instance = new Instance(service, id, address, port, 0, List.of(tags), Map.of(), "", weight);
        return new InstanceEntry(instance, List.of(), status, 1, 1);
    }

    static InstanceEntry passing(String service, String id, String address, int port, String... tags) {
        return instance(service, id, address, port, HealthStatus.PASSING, tags);
    }

    @Override
    public long index() {
        return index.get();
    }

    @Override
    public Optional<ServiceEntry> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    @Override
    public Collection<ServiceEntry> services() {
        return services.values();
    }

    @Override
    public long serviceIndex(String name) {
        ServiceEntry e = services.get(name);
        return e == null ? index.get() : e.modifyIndex();
    }

    @Override
    public CompletableFuture<Long> awaitService(String name, long index, Duration wait) {
        return CompletableFuture.completedFuture(serviceIndex(name));
    }

    @Override
    public CompletableFuture<Long> awaitCatalog(long index, Duration wait) {
        return CompletableFuture.completedFuture(this.index.get());
    }
}
