package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/**
 * Linkerd's peak EWMA with the power of two choices: draw two distinct backends uniformly and keep
 * the lower cost = latency estimate * (active + 1) / weight; on a tie, the first drawn. The
 * estimates live on the backends ({@link PeakEwma}), fed by {@link Backend#onEnd(long)}.
 */
final class PeakEwmaBalancer implements LoadBalancer {
    private final Backend[] backends;
    private final RandomGenerator random;

    PeakEwmaBalancer(Backend[] backends, RandomGenerator random) {
        this.backends = backends;
        this.random = random;
    }

    @Override
    public Backend pick() {
        int n = backends.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return backends[0];
        }
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Backend a = backends[i];
        Backend b = backends[j];
        return cost(a) <= cost(b) ? a : b;
    }

    private static double cost(Backend b) {
        return b.ewma.estimate() * (b.activeRequests() + 1) / b.weight();
    }

    @Override
    public String name() {
        return "peak_ewma_p2c";
    }
}
