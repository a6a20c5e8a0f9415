package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/**
 * Least request with the power of two choices: draw two distinct backends uniformly and keep the one
 * with the lower (active + 1) / weight; on a tie, the first drawn. The +1 lets weights decide
 * between idle backends.
 */
final class LeastRequestBalancer implements LoadBalancer {
    private final Backend[] backends;
    private final RandomGenerator random;

    LeastRequestBalancer(Backend[] backends, RandomGenerator random) {
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
        // (a.active+1)/a.weight <= (b.active+1)/b.weight, cross-multiplied to stay in integers
        long lhs = (long) (a.activeRequests() + 1) * b.weight();
        long rhs = (long) (b.activeRequests() + 1) * a.weight();
        return lhs <= rhs ? a : b;
    }

    @Override
    public String name() {
        return "least_request_p2c";
    }
}
