package dev.weft.proxy.http;

import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.telemetry.Direction;
import io.netty.channel.EventLoop;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.Map;
import java.util.function.Supplier;

/** What a listener's connections share: direction, the config in effect, per-loop resources, limits. */
public final class ProxyContext {
    private final Direction direction;
    private final Supplier<ProxyConfig> config;
    private final Map<EventLoop, LoopResources> loops;
    private final HttpLimits limits;
    private final GaugeDataPoint activeConnections;

    public ProxyContext(Direction direction, Supplier<ProxyConfig> config, Map<EventLoop, LoopResources> loops,
                        HttpLimits limits, GaugeDataPoint activeConnections) {
        this.direction = direction;
        this.config = config;
        this.loops = Map.copyOf(loops);
        this.limits = limits;
        this.activeConnections = activeConnections;
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
