package dev.weft.bench.jmh;

import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.lb.Backend;
import dev.weft.proxy.lb.LoadBalancer;
import dev.weft.proxy.lb.LoadBalancers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One request's balancer work, as DownstreamHandler and the upstream side do it: pick (by a request
 * hash for the hashing policies), onStart, and onEnd with a latency sample for the request that
 * started eight picks earlier, so eight requests are always in flight. Ten serving backends of
 * weight 1, built by {@link LoadBalancers#create} with the defaults and the loop context the
 * sidecar uses (a SplittableRandom, System::nanoTime, no zone).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BalancerPickBenchmark {
    static final int BACKENDS = 10;
    private static final int IN_FLIGHT = 8;
    private static final int MASK = 1023;

    @Param({"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "PEAK_EWMA", "RING_HASH", "MAGLEV"})
    public LbPolicy policy;

    private LoadBalancer balancer;
    private boolean hashing;
    private final long[] hashes = new long[MASK + 1];
    private final long[] latencies = new long[MASK + 1];
    private final Backend[] inFlight = new Backend[IN_FLIGHT];
    private int next;

    @Setup
    public void setup() {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < BACKENDS; i++) {
            Endpoint e = new Endpoint(new InetSocketAddress("10.0.0." + (i + 1), 8080), EndpointHealth.HEALTHY, 1, "", false, "i-" + i);
            backends.add(new Backend(e));
        }
        SplittableRandom random = new SplittableRandom(7);
        balancer = LoadBalancers.create(policy, LbConfig.DEFAULTS, backends, new LoadBalancers.Context(random.split(), System::nanoTime, ""));
        hashing = balancer.usesHash();
        for (int i = 0; i <= MASK; i++) {
            hashes[i] = random.nextLong();
            latencies[i] = 200_000 + random.nextLong(5_000_000); // 0.2 to 5.2 ms
        }
    }

    @Benchmark
    public Backend pickStartEnd() {
        int i = next++;
        Backend b = hashing ? balancer.pick(hashes[i & MASK]) : balancer.pick();
        b.onStart();
        int slot = i & (IN_FLIGHT - 1);
        Backend done = inFlight[slot];
        if (done != null) {
            done.onEnd(latencies[i & MASK]);
        }
        inFlight[slot] = b;
        return b;
    }
}
