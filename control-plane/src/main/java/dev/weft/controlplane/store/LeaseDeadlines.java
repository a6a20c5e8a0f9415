package dev.weft.controlplane.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory lease deadlines. Keep-alives only touch this map, never the disk; a lease's persisted
 * row holds its TTL so that a restart can grant a fresh full window.
 */
final class LeaseDeadlines {
    private record Entry(long ttlMs, long deadlineMs) {}

    /** A lease taken for expiry. */
    record Expired(long id, long ttlMs) {}

    private final Clock clock;
    private final ConcurrentHashMap<Long, Entry> leases = new ConcurrentHashMap<>();

    LeaseDeadlines(Clock clock) {
        this.clock = clock;
    }

    /** Starts (or restarts) a full TTL window from now. */
    void start(long id, long ttlMs) {
        leases.put(id, new Entry(ttlMs, deadline(ttlMs)));
    }

    boolean keepAlive(long id) {
        long now = clock.millis();
        Entry renewed = leases.computeIfPresent(id, (k, e) -> e.deadlineMs() <= now ? e : new Entry(e.ttlMs(), deadline(e.ttlMs())));
        return renewed != null && renewed.deadlineMs() > now;
    }

    void forget(long id) {
        leases.remove(id);
    }

    /**
     * Removes and returns the leases whose deadline has passed. Removal is atomic per lease, so
     * concurrent callers never expire the same lease twice.
     */
    List<Expired> takeExpired() {
        long now = clock.millis();
        List<Expired> expired = new ArrayList<>();
        leases.forEach((id, e) -> {
            if (e.deadlineMs() <= now && leases.remove(id, e)) {
                expired.add(new Expired(id, e.ttlMs()));
            }
        });
        return expired;
    }

    /** Puts back a lease whose expiry could not be written, already expired, so the next pass retries it. */
    void retry(Expired lease) {
        leases.putIfAbsent(lease.id(), new Entry(lease.ttlMs(), clock.millis()));
    }

    private long deadline(long ttlMs) {
        long now = clock.millis();
        long d = now + ttlMs;
        return d < now ? Long.MAX_VALUE : d;
    }
}
