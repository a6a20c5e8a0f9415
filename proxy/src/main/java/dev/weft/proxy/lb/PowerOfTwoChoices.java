package dev.weft.proxy.lb;

import java.util.random.RandomGenerator;

/**
 * The power of two choices: draw two distinct backends uniformly and keep the one the subclass
 * prefers; on a tie, the first drawn. Two random draws and one comparison, whatever the number of
 * backends, and no herd on a single "best" backend the way a full scan would cause.
 */
abstract class PowerOfTwoChoices implements LoadBalancer {
    private final Backend[] backends;
    private final RandomGenerator random;

    PowerOfTwoChoices(Backend[] backends, RandomGenerator random) {
        this.backends = backends;
        this.random = random;
    }

    @Override
    public final Backend pick() {
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
        return prefersFirst(a, b) ? a : b;
    }

    /** Whether {@code a} is at least as good a choice as {@code b}. */
    abstract boolean prefersFirst(Backend a, Backend b);
}
