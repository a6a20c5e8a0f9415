package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/**
 * Least request with the power of two choices: draw two distinct backends uniformly and keep the one
 * with the lower (active + 1) / weight; on a tie, the first drawn. The +1 lets weights decide
 * between idle backends.
 */
final class LeastRequestBalancer extends PowerOfTwoChoices {
    LeastRequestBalancer(Backend[] backends, RandomGenerator random) {
        super(backends, random);
    }

    @Override
    boolean prefersFirst(Backend a, Backend b) {
        // (a.active+1)/a.weight <= (b.active+1)/b.weight, cross-multiplied to stay in integers
        long lhs = (long) (a.activeRequests() + 1) * b.weight();
        long rhs = (long) (b.activeRequests() + 1) * a.weight();
        return lhs <= rhs;
    }

    @Override
    public String name() {
        return "least_request_p2c";
    }
}
