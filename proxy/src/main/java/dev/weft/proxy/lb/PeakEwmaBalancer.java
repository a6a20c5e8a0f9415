package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/**
 * Linkerd's peak EWMA with the power of two choices: draw two distinct backends uniformly and keep
 * the lower cost = latency estimate * (active + 1) / weight; on a tie, the first drawn. The
 * estimates live on the backends ({@link PeakEwma}), fed by {@link Backend#onEnd(long)}.
 */
final class PeakEwmaBalancer extends PowerOfTwoChoices {
    PeakEwmaBalancer(Backend[] backends, RandomGenerator random) {
        super(backends, random);
    }

    @Override
    boolean prefersFirst(Backend a, Backend b) {
        return cost(a) <= cost(b);
    }

    private static double cost(Backend b) {
        return b.ewma.estimate() * (b.activeRequests() + 1) / b.weight();
    }

    @Override
    public String name() {
        return "peak_ewma_p2c";
    }
}
