package dev.weft.controlplane.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/** Lease grant and revoke (or expiry) as writer requests. */
final class LeaseWrites {
    private LeaseWrites() {}

    /** Persists (id, ttl); the in-memory deadline starts once the row is durable. */
    static final class Grant implements WriteRequest {
        private final Duration ttl;
        private final LeaseDeadlines deadlines;
        private final CompletableFuture<Store.Lease> future;

        Grant(Duration ttl, LeaseDeadlines deadlines, CompletableFuture<Store.Lease> future) {
            this.ttl = ttl;
            this.deadlines = deadlines;
            this.future = future;
        }

        @Override
        public Applied apply(KvSql sql, long revision) throws SQLException {
            long id;
            // random ids, as etcd does, so a stale client id does not alias a later lease
            do {
                id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            } while (sql.leaseExists(id));
            sql.insertLease(id, ttl.toMillis());
            long granted = id;
            return new Applied(List.of(), () -> {
                deadlines.start(granted, ttl.toMillis());
                future.complete(new Store.Lease(granted, ttl));
            });
        }

        @Override
        public void fail(Throwable error) {
            future.completeExceptionally(error);
        }
    }

    /** Deletes the lease and its keys at one revision (none if it had no keys). */
    static final class Revoke implements WriteRequest {
        private final long id;
        private final boolean expiry;
        private final LeaseDeadlines deadlines;
        private final CompletableFuture<Void> future;

        Revoke(long id, boolean expiry, LeaseDeadlines deadlines, CompletableFuture<Void> future) {
            this.id = id;
            this.expiry = expiry;
            this.deadlines = deadlines;
            this.future = future;
        }

        @Override
        public Applied apply(KvSql sql, long revision) throws SQLException {
            if (!sql.deleteLease(id)) {
                if (expiry) {
                    // revoked by a caller while the expiry was queued: nothing left to do
                    return new Applied(List.of(), () -> future.complete(null));
                }
                throw new StoreException("lease " + id + " not found");
            }
            List<WatchEvent> events = sql.keysOfLease(id).stream().map(k -> TxnWrite.deleted(k, revision)).toList();
            if (!events.isEmpty()) {
                sql.deleteKeysOfLease(id);
                sql.setRevision(revision);
            }
            return new Applied(events, () -> {
                deadlines.forget(id);
                future.complete(null);
            });
        }

        @Override
        public void fail(Throwable error) {
            future.completeExceptionally(error);
        }
    }
}
