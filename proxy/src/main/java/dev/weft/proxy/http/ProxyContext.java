package dev.weft.proxy.http;

import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.telemetry.Direction;
import io.netty.channel.EventLoop;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** What a listener's connections share: direction, the config in effect, per-loop resources, limits. */
public final class ProxyContext {
    private final Direction direction;
    private final Supplier<ProxyConfig> config;
    private final Map<EventLoop, LoopResources> loops;
    private final HttpLimits limits;
    private final GaugeDataPoint activeConnections;
    private final Map<EventLoop, LoopConnections> connections = new IdentityHashMap<>();
    /** One gate per error reason: each logs at most one line a second (docs/proxy.md, errors). */
    private final LogGate[] errorLogs = new LogGate[ProxyError.values().length];

    public ProxyContext(Direction direction, Supplier<ProxyConfig> config, Map<EventLoop, LoopResources> loops,
                        HttpLimits limits, GaugeDataPoint activeConnections) {
        this.direction = direction;
        this.config = config;
        this.loops = Map.copyOf(loops);
        this.limits = limits;
        this.activeConnections = activeConnections;
        loops.keySet().forEach(l -> connections.put(l, new LoopConnections()));
        for (int i = 0; i < errorLogs.length; i++) {
            errorLogs[i] = new LogGate(java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
        }
    }

    LogGate errorLog(ProxyError error) {
        return errorLogs[error.ordinal()];
    }

    /** What a drain found when it started, and a future completed when the last connection has closed. */
    public record Drain(int exchangesInFlight, CompletableFuture<Void> done) {
    }

    /**
     * Starts draining this listener's connections (its socket should be closed already): idle
     * keep-alive connections close now; a connection with an exchange in flight answers it with
     * {@code Connection: close} and closes after it. Runs a task on each event loop.
     */
    public CompletableFuture<Drain> drain() {
        List<CompletableFuture<Integer>> busy = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        connections.forEach((loop, c) -> {
            CompletableFuture<Integer> b = new CompletableFuture<>();
            CompletableFuture<Void> d = new CompletableFuture<>();
            busy.add(b);
            done.add(d);
            loop.execute(() -> b.complete(c.startDrain(d)));
        });
        CompletableFuture<Void> allDone = CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]));
        return CompletableFuture.allOf(busy.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> new Drain(busy.stream().mapToInt(CompletableFuture::join).sum(), allDone));
    }

    /** Closes every connection still open (the drain timeout passed); completes with how many there were. */
    public CompletableFuture<Integer> closeAll() {
        List<CompletableFuture<Integer>> parts = new ArrayList<>();
        connections.forEach((loop, c) -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            parts.add(f);
            loop.execute(() -> f.complete(c.closeAll()));
        });
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum());
    }

    LoopConnections connections(EventLoop loop) {
        return connections.get(loop);
    }

    Direction direction() {
        return direction;
    }

    ProxyConfig config() {
        return config.get();
    }

    ListenerSpec listener(ProxyConfig cfg) {
        return direction == Direction.OUTBOUND ? cfg.outbound() : cfg.inbound();
    }

    LoopResources loop(EventLoop loop) {
        return loops.get(loop);
    }

    HttpLimits limits() {
        return limits;
    }

    GaugeDataPoint activeConnections() {
        return activeConnections;
    }
}
