package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/** Picks a backend with probability weight / total weight: a binary search over cumulative weights. */
final class WeightedRandomBalancer implements LoadBalancer {
    private final Backend[] backends;
    private final long[] cumulative;
    private final RandomGenerator random;

    WeightedRandomBalancer(Backend[] backends, RandomGenerator random) {
        this.backends = backends;
        this.random = random;
        this.cumulative = new long[backends.length];
        long sum = 0;
        for (int i = 0; i < backends.length; i++) {
            sum += backends[i].weight();
            cumulative[i] = sum;
        }
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
        long r = random.nextLong(cumulative[n - 1]);
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return backends[lo];
    }

    @Override
    public String name() {
        return "weighted_random";
    }
}
