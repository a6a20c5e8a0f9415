package dev.weft.controlplane.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The control plane's durable state, with etcd's semantics so that the embedded SQLite store and
 * an etcd cluster are interchangeable.
 *
 * <ul>
 *   <li>One global revision counts every committed transaction; it starts at 1 for an empty store,
 *       only grows, and survives restarts. Each key remembers the revision that created it and the
 *       one that last modified it.</li>
 *   <li>{@link #commit} applies a transaction atomically and completes only once it is durable
 *       (it survives {@code kill -9}, and power loss where the medium honours fsync). It never
 *       blocks the caller: completion runs on the store's own thread, so callers must not block in
 *       their continuations.</li>
 *   <li>{@link #watch} delivers every change under a prefix from a given revision on, in revision
 *       order, without gaps; if that revision is older than the history the store keeps, the
 *       watch fails with {@link CompactedException}.</li>
 *   <li>Leases expire keys attached to them unless kept alive. Keep-alives are not written to disk;
 *       after a restart every lease gets a fresh full TTL.</li>
 * </ul>
 *
 * <p>Keys are non-empty UTF-8 strings; values are opaque bytes.
 */
public interface Store extends AutoCloseable {

    /** The revision of the last committed transaction. */
    long currentRevision();

    /** Applies {@code txn} atomically; completes once durable, or exceptionally with {@link StoreException}. */
    CompletableFuture<TxnResult> commit(Txn txn);

    /** The key's current value, if any. */
    CompletableFuture<Optional<KeyValue>> get(String key);

    /** Every key starting with {@code prefix}, in key order, with the revision they were read at. */
    CompletableFuture<RangeResult> range(String prefix);

    /**
     * Delivers changes to keys starting with {@code prefix} whose revision is {@code >= fromRevision}.
     * Events of one transaction arrive together in one call, in order. Listeners run on a store
     * thread and must not block.
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** Grants a lease that expires {@code ttl} after its last keep-alive. */
    CompletableFuture<Lease> grantLease(Duration ttl);

    /** Renews a lease in memory; false if it does not exist (expired or revoked). */
    boolean keepAlive(long leaseId);

    /** Revokes a lease and deletes every key attached to it, as one transaction. */
    CompletableFuture<Void> revokeLease(long leaseId);

    /** Flushes and releases everything; pending commits complete first. */
    @Override
    void close();

    /** A change notification target. */
    interface WatchListener {
        /** Events of one revision (one transaction), in order. */
        void onEvents(long revision, List<WatchEvent> events);

        /** The watch ended with an error (for example {@link CompactedException}) and delivers nothing more. */
        default void onError(Throwable error) {}
    }

    /** A registered watch. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** A granted lease. */
    record Lease(long id, Duration ttl) {}
}
