package dev.weft.proxy.lb;

import dev.weft.proxy.config.LbPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Builds the balancer for a cluster's policy over its serving (HEALTHY or DEGRADED) backends. */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    /** The name {@link LoadBalancer#name()} reports for a policy's balancer. */
    public static String algorithmName(LbPolicy policy) {
        return switch (policy) {
            case ROUND_ROBIN -> "smooth_weighted_round_robin";
            case RANDOM -> "weighted_random";
            case LEAST_REQUEST -> "least_request_p2c";
        };
    }

    public static LoadBalancer create(LbPolicy policy, List<? extends Backend> backends, RandomGenerator random) {
        List<Backend> serving = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            if (b.endpoint().isServing()) {
                serving.add(b);
            }
        }
        Backend[] arr = serving.toArray(new Backend[0]);
        return switch (policy) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(arr);
            case RANDOM -> new WeightedRandomBalancer(arr, random);
            case LEAST_REQUEST -> new LeastRequestBalancer(arr, random);
        };
    }
}
