package dev.weft.controlplane.registry;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The read side of the registry: lock-free, safe from any thread, including event loops.
 *
 * <p>Indexes are the store's revisions: greater than 0, never going backwards, across restarts too.
 * They serve blocking queries (Consul's {@code X-Consul-Index}).
 */
public interface Catalog {

    /** Index of the last change to anything in the catalog. */
    long index();

    /** The service, if it has at least one instance. */
    Optional<ServiceEntry> service(String name);

    /** Every service with at least one instance, ordered by name. */
    Collection<ServiceEntry> services();

    /**
     * Index of the last change to the named service, including its removal; for a name never seen
     * since start, the catalog index at start.
     */
    long serviceIndex(String name);

    /**
     * Completes with the service's index once it is greater than {@code index}, or with the
     * current index once {@code wait} has passed. Never completes on the caller's thread while
     * waiting; completes at once if the index has already moved.
     */
    CompletableFuture<Long> awaitService(String name, long index, Duration wait);

    /** As {@link #awaitService}, for a change to the set of services or any service's instances. */
    CompletableFuture<Long> awaitCatalog(long index, Duration wait);
}
