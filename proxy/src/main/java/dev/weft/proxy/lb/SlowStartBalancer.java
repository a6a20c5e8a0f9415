package dev.weft.proxy.lb;

import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Slow start over any non-hashing balancer: a backend that started serving less than a window ago
 * is kept with probability 0.1 + 0.9 * age / window, otherwise the inner balancer picks again (at
 * most {@link #MAX_TRIES} times, then the last pick stands). Its share thus ramps linearly from
 * about 10% of its weight to all of it. Once every backend is past the window this costs one
 * clock read per pick.
 */
final class SlowStartBalancer implements LoadBalancer {
    static final double MIN_FACTOR = 0.1;
    static final int MAX_TRIES = 8;

    private final LoadBalancer inner;
    private final long windowNanos;
    private final LongSupplier clock;
    private final RandomGenerator random;
    /** When the last backend leaves its window; with no backend warming, 0 wins immediately. */
    private final long warmUntil;
    private final boolean anyWarming;

    SlowStartBalancer(LoadBalancer inner, Backend[] backends, long windowNanos, LongSupplier clock, RandomGenerator random) {
        this.inner = inner;
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.random = random;
        long until = 0;
        boolean warming = false;
        for (Backend b : backends) {
            if (b.servingSinceNanos() != Backend.ALWAYS_SERVING) {
                long u = b.servingSinceNanos() + windowNanos;
                until = warming ? Math.max(until, u) : u;
                warming = true;
            }
        }
        this.warmUntil = until;
        this.anyWarming = warming;
    }

    @Override
    public Backend pick() {
        Backend b = inner.pick();
        if (!anyWarming || b == null) {
            return b;
        }
        long now = clock.getAsLong();
        if (now - warmUntil >= 0) {
            return b;
        }
        for (int tries = 1; tries < MAX_TRIES; tries++) {
            double f = factor(b, now);
            if (f >= 1 || random.nextDouble() < f) {
                return b;
            }
            b = inner.pick();
        }
        return b;
    }

    /** The share of its weight a backend gets now. */
    double factor(Backend b, long now) {
        if (b.servingSinceNanos() == Backend.ALWAYS_SERVING) {
            return 1;
        }
        long age = now - b.servingSinceNanos();
        if (age >= windowNanos) {
            return 1;
        }
        return MIN_FACTOR + (1 - MIN_FACTOR) * Math.max(0, age) / windowNanos;
    }

    @Override
    public String name() {
        return inner.name();
    }
}
