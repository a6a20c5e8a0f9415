package dev.weft.bench.jmh;

import dev.weft.proxy.telemetry.Direction;
import dev.weft.proxy.telemetry.LoopMetrics;
import dev.weft.proxy.telemetry.ProxyMetrics;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Recording one finished request, as DownstreamHandler does:
 * {@code loop.metrics().request(direction, destination, code, reason, nanos)}. 50 destinations;
 * one request in 20 is a sidecar error (503 no_healthy_upstream or 502 upstream_reset), the rest
 * upstream answers (200, some 404). Every label combination is recorded once in setup, so the
 * benchmark measures the steady state, not the first request of a destination.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestMetricsBenchmark {
    private static final int MASK = 1023;

    private LoopMetrics metrics;
    private final String[] destinations = new String[MASK + 1];
    private final int[] codes = new int[MASK + 1];
    private final String[] reasons = new String[MASK + 1];
    private final long[] nanos = new long[MASK + 1];
    private int next;

    @Setup
    public void setup() {
        metrics = new ProxyMetrics().forLoop();
        String[] names = new String[50];
        for (int s = 0; s < names.length; s++) {
            names[s] = "service-" + s;
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i <= MASK; i++) {
            destinations[i] = names[random.nextInt(names.length)];
            int r = random.nextInt(100);
            codes[i] = r < 90 ? 200 : r < 95 ? 404 : r < 98 ? 503 : 502;
            reasons[i] = r < 95 ? "none" : r < 98 ? "no_healthy_upstream" : "upstream_reset";
            nanos[i] = 100_000 + random.nextLong(20_000_000);
        }
        for (int i = 0; i <= MASK; i++) {
            record();
        }
    }

    @Benchmark
    public void record() {
        int i = next++ & MASK;
        metrics.request(Direction.OUTBOUND, destinations[i], codes[i], reasons[i], nanos[i]);
    }
}
