package dev.weft.proxy.lb;

import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Builds a cluster's balancer: panic threshold, then zone preference, then the policy's algorithm
 * over the chosen backends, then slow start around it (non-hashing policies).
 */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    /**
     * What a balancer needs from its event loop.
     *
     * @param nanoClock {@link System#nanoTime()} in production; tests drive a fake one
     * @param localZone the caller's (this sidecar's) zone; empty turns zone-aware routing off
     */
    public record Context(RandomGenerator random, LongSupplier nanoClock, String localZone) {
        public Context {
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(nanoClock, "nanoClock");
            localZone = localZone == null ? "" : localZone;
        }
    }

    /** The name {@link LoadBalancer#name()} reports for a policy's balancer. */
    public static String algorithmName(LbPolicy policy) {
        return switch (policy) {
            case ROUND_ROBIN -> "smooth_weighted_round_robin";
            case RANDOM -> "weighted_random";
            case LEAST_REQUEST -> "least_request_p2c";
            case PEAK_EWMA -> "peak_ewma_p2c";
            case RING_HASH -> "ring_hash";
            case MAGLEV -> "maglev";
        };
    }

    /** A balancer with {@link LbConfig#DEFAULTS}, the system clock and no zone preference. */
    public static LoadBalancer create(LbPolicy policy, List<? extends Backend> backends, RandomGenerator random) {
        return create(policy, LbConfig.DEFAULTS, backends, new Context(random, System::nanoTime, ""));
    }

    /**
     * @param backends every endpoint of the cluster, serving or not
     */
    public static LoadBalancer create(LbPolicy policy, LbConfig config, List<? extends Backend> backends, Context ctx) {
        List<Backend> serving = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            if (b.endpoint().isServing()) {
                serving.add(b);
            }
        }
        // panic: too few serving endpoints to carry the load, so spread it over all of them. With
        // none serving Weft answers 503 no_healthy_upstream (Envoy would panic): a registry
        // instance is critical until its first check passes, and that answer is the contract.
        boolean panic = !serving.isEmpty() && config.healthyPanicThreshold() > 0
                && serving.size() * 100.0 < config.healthyPanicThreshold() * backends.size();
        List<Backend> candidates = panic ? new ArrayList<>(backends) : serving;
        if (!ctx.localZone().isEmpty() && !panic) {
            int localTotal = 0;
            List<Backend> localServing = new ArrayList<>();
            for (Backend b : backends) {
                if (b.endpoint().zone().equals(ctx.localZone())) {
                    localTotal++;
                    if (b.endpoint().isServing()) {
                        localServing.add(b);
                    }
                }
            }
            boolean useLocal = !localServing.isEmpty() && localServing.size() * 100.0 >= config.zoneHealthyThreshold() * localTotal;
            // every endpoint in one zone: nothing to prefer
            if (localServing.size() != serving.size() || !useLocal) {
                return new ZoneAwareBalancer(algorithm(policy, config, useLocal ? localServing : candidates, ctx), useLocal);
            }
        }
        return algorithm(policy, config, candidates, ctx);
    }

    private static LoadBalancer algorithm(LbPolicy policy, LbConfig config, List<Backend> chosen, Context ctx) {
        Backend[] arr = chosen.toArray(new Backend[0]);
        LoadBalancer lb = switch (policy) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(arr);
            case RANDOM -> new WeightedRandomBalancer(arr, ctx.random());
            case LEAST_REQUEST -> new LeastRequestBalancer(arr, ctx.random());
            case PEAK_EWMA -> {
                for (Backend b : arr) {
                    if (b.ewma == null) {
                        b.ewma = new PeakEwma(ctx.nanoClock(), config.ewmaDecay().toNanos());
                    }
                }
                yield new PeakEwmaBalancer(arr, ctx.random());
            }
            case RING_HASH -> new RingHashBalancer(arr, config.ringMinSize(), config.ringMaxSize(), ctx.random());
            case MAGLEV -> new MaglevBalancer(arr, config.maglevTableSize(), ctx.random());
        };
        if (!policy.hashing() && !config.slowStartWindow().isZero()) {
            lb = new SlowStartBalancer(lb, arr, config.slowStartWindow().toNanos(), ctx.nanoClock(), ctx.random());
        }
        return lb;
    }

    /** A backend's identity for hashing: its address as host:port (the IP literal when resolved). */
    static String key(Backend b) {
        InetSocketAddress a = b.endpoint().address();
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host + ":" + a.getPort();
    }
}
