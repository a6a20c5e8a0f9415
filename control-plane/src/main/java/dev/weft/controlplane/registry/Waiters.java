package dev.weft.controlplane.registry;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Blocking queries: futures parked on a key (a service name, or the whole catalog) until its
 * index passes the one the client already has, or until the wait runs out.
 */
final class Waiters {
    static final String CATALOG = "\u0000catalog";

    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, Queue<Waiter>> byKey = new ConcurrentHashMap<>();

    Waiters(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    CompletableFuture<Long> await(String key, long index, Duration wait, LongSupplier current) {
        long now = current.getAsLong();
        if (now > index || wait.isZero() || wait.isNegative()) {
            return CompletableFuture.completedFuture(now);
        }
        Waiter w = new Waiter(index, new CompletableFuture<>());
        Queue<Waiter> q = byKey.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
        q.add(w);
        var timeout = timer.schedule(() -> w.future.complete(current.getAsLong()), wait.toMillis(), TimeUnit.MILLISECONDS);
        w.future.whenComplete((v, e) -> {
            timeout.cancel(false);
            q.remove(w);
        });
        // A change published between the first read and the enqueue would otherwise be missed.
        long again = current.getAsLong();
        if (again > index) {
            w.future.complete(again);
        }
        return w.future;
    }

    void wake(String key, long newIndex) {
        Queue<Waiter> q = byKey.get(key);
        if (q == null) {
            return;
        }
        for (Waiter w : q) {
            if (newIndex > w.index) {
                w.future.complete(newIndex);
            }
        }
    }

    void releaseAll(LongSupplier current) {
        byKey.values().forEach(q -> q.forEach(w -> w.future.complete(current.getAsLong())));
    }

    private record Waiter(long index, CompletableFuture<Long> future) {}
}
