package dev.weft.proxy.lb;

import java.util.function.LongSupplier;

/**
 * Linkerd's (Finagle's, tower's) peak-sensitive latency estimate: a sample above the estimate
 * replaces it at once; a lower one is blended in with weight 1 - exp(-elapsed / tau); between
 * samples the estimate decays towards zero, so an idle slow backend is eventually probed again.
 */
final class PeakEwma {
    /** The estimate of a backend with no samples yet: optimistic, so new backends get tried. */
    static final double DEFAULT_RTT_NANOS = 10_000_000;

    private final LongSupplier clock;
    private final double tauNanos;
    private double estimate = DEFAULT_RTT_NANOS;
    private long stamp;

    PeakEwma(LongSupplier clock, long tauNanos) {
        this.clock = clock;
        this.tauNanos = tauNanos;
        this.stamp = clock.getAsLong();
    }

    void observe(long rttNanos) {
        long now = clock.getAsLong();
        if (rttNanos > estimate) {
            estimate = rttNanos;
        } else {
            double w = Math.exp(-Math.max(0, now - stamp) / tauNanos);
            estimate = estimate * w + rttNanos * (1 - w);
        }
        stamp = now;
    }

    /** The estimate now, decayed for the time since the last update. */
    double estimate() {
        long now = clock.getAsLong();
        if (now > stamp) {
            estimate *= Math.exp(-(now - stamp) / tauNanos);
            stamp = now;
        }
        return estimate;
    }
}
