package dev.weft.proxy.lb;

/**
 * nginx's smooth weighted round robin: every pick adds each backend's weight to its current
 * weight, takes the highest (the earliest in list order on a tie) and subtracts the total from it.
 * Weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c. O(n) per pick.
 */
final class SmoothWeightedRoundRobinBalancer implements LoadBalancer {
    private final Backend[] backends;
    private final int[] current;
    private final int total;

    SmoothWeightedRoundRobinBalancer(Backend[] backends) {
        this.backends = backends;
        this.current = new int[backends.length];
        int t = 0;
        for (Backend b : backends) {
            t += b.weight();
        }
        this.total = t;
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
        int best = 0;
        for (int i = 0; i < n; i++) {
            current[i] += backends[i].weight();
            if (current[i] > current[best]) {
                best = i;
            }
        }
        current[best] -= total;
        return backends[best];
    }

    @Override
    public String name() {
        return "smooth_weighted_round_robin";
    }
}
