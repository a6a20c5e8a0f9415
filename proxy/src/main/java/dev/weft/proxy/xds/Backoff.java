package dev.weft.proxy.xds;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)).
 * Full jitter spreads a fleet of sidecars that lost the control plane at the same moment.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier random;
    private int attempt;

    Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    Duration next() {
        long ceiling = attempt >= 40 ? maxNanos : Math.min(maxNanos, initialNanos << attempt);
        if (ceiling <= 0) {
            ceiling = maxNanos;
        }
        attempt++;
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling));
    }

    void reset() {
        attempt = 0;
    }
}
