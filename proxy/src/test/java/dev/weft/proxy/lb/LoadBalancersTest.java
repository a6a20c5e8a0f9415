package dev.weft.proxy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Balancer behaviour with fixed seeds: exact sequences where deterministic, chi-square where random. */
class LoadBalancersTest {
    /** Chi-square critical values at p = 0.001 by degrees of freedom (1..4). */
    private static final double[] CHI2_999 = {0, 10.83, 13.82, 16.27, 18.47};

    private static Backend backend(int port, EndpointHealth health, int weight) {
        return new Backend(new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), health, weight, "", false, "i" + port));
    }

    private static List<Backend> weighted(int... weights) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(backend(1000 + i, EndpointHealth.HEALTHY, weights[i]));
        }
        return list;
    }

    private static int[] histogram(LoadBalancer lb, List<Backend> backends, int picks) {
        int[] counts = new int[backends.size()];
        for (int i = 0; i < picks; i++) {
            counts[backends.indexOf(lb.pick())]++;
        }
        return counts;
    }

    private static double chiSquare(int[] observed, int[] weights) {
        long n = 0;
        long w = 0;
        for (int i = 0; i < observed.length; i++) {
            n += observed[i];
            w += weights[i];
        }
        double chi = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = (double) n * weights[i] / w;
            chi += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return chi;
    }

    @Test
    void smoothWeightedRoundRobinInterleavesLikeNginx() {
        List<Backend> b = weighted(5, 1, 1);
        LoadBalancer lb = LoadBalancers.create(LbPolicy.ROUND_ROBIN, b, new SplittableRandom(1));
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            seq.append((char) ('a' + b.indexOf(lb.pick())));
        }
        assertThat(seq.toString()).isEqualTo("aabacaa");
        assertThat(histogram(lb, b, 700)).containsExactly(500, 100, 100);
    }

    @Test
    void smoothWeightedRoundRobinTiesGoToTheFirstBackend() {
        List<Backend> b = weighted(1, 1, 1);
        LoadBalancer lb = LoadBalancers.create(LbPolicy.ROUND_ROBIN, b, new SplittableRandom(1));
        assertThat(List.of(lb.pick(), lb.pick(), lb.pick(), lb.pick())).containsExactly(b.get(0), b.get(1), b.get(2), b.get(0));
    }

    @Test
    void weightedRandomMatchesWeights() {
        int[] weights = {1, 2, 3, 4};
        List<Backend> b = weighted(weights);
        LoadBalancer lb = LoadBalancers.create(LbPolicy.RANDOM, b, new SplittableRandom(42));
        int[] counts = histogram(lb, b, 100_000);
        assertThat(chiSquare(counts, weights)).as("chi-square of %s", java.util.Arrays.toString(counts)).isLessThan(CHI2_999[3]);
    }

    @Test
    void leastRequestIsUniformOverIdleEqualBackends() {
        int[] weights = {1, 1, 1, 1};
        List<Backend> b = weighted(weights);
        LoadBalancer lb = LoadBalancers.create(LbPolicy.LEAST_REQUEST, b, new SplittableRandom(7));
        int[] counts = histogram(lb, b, 100_000);
        assertThat(chiSquare(counts, weights)).as("chi-square of %s", java.util.Arrays.toString(counts)).isLessThan(CHI2_999[3]);
    }

    @Test
    void leastRequestAvoidsTheLoadedBackend() {
        List<Backend> b = weighted(1, 1, 1);
        for (int i = 0; i < 10; i++) {
            b.get(0).onStart();
        }
        b.get(1).onStart();
        LoadBalancer lb = LoadBalancers.create(LbPolicy.LEAST_REQUEST, b, new SplittableRandom(3));
        int[] counts = histogram(lb, b, 30_000);
        assertThat(counts[0]).isZero(); // two distinct draws always include a less loaded backend
        assertThat(counts[2]).isGreaterThan(counts[1]); // 0 active beats 1 active whenever they meet
        assertThat(counts[2]).isBetween(19_000, 21_000); // picked in 2 of the 3 pairs
    }

    @Test
    void leastRequestComparesActiveOverWeight() {
        List<Backend> b = weighted(1, 3);
        b.get(0).onStart();
        b.get(0).onStart();
        b.get(1).onStart();
        b.get(1).onStart();
        LoadBalancer lb = LoadBalancers.create(LbPolicy.LEAST_REQUEST, b, new SplittableRandom(5));
        // 3/1 against 3/3: the heavier backend carries its two requests more easily
        assertThat(histogram(lb, b, 1000)).containsExactly(0, 1000);
        b.get(1).onEnd();
        assertThat(b.get(1).activeRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void unhealthyEndpointsAreNeverPicked(LbPolicy policy) {
        List<Backend> b = List.of(backend(1, EndpointHealth.HEALTHY, 1), backend(2, EndpointHealth.UNHEALTHY, 100),
                backend(3, EndpointHealth.DEGRADED, 1));
        LoadBalancer lb = LoadBalancers.create(policy, b, new SplittableRandom(11));
        int[] counts = histogram(lb, b, 10_000);
        assertThat(counts[1]).isZero();
        assertThat(counts[0]).isPositive();
        assertThat(counts[2]).isPositive();
        assertThat(lb.name()).isEqualTo(LoadBalancers.algorithmName(policy));
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void noServingEndpointGivesNullEvenBelowThePanicThreshold(LbPolicy policy) {
        assertThat(LoadBalancers.create(policy, List.of(backend(1, EndpointHealth.UNHEALTHY, 1)), new SplittableRandom(1)).pick()).isNull();
        assertThat(LoadBalancers.create(policy, List.of(), new SplittableRandom(1)).pick()).isNull();
    }
}
