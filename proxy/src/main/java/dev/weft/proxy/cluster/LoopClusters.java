package dev.weft.proxy.cluster;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.lb.LoadBalancers;
import dev.weft.proxy.telemetry.ProxyMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The clusters of one event loop. Each request passes the config in effect; when it is a new value,
 * clusters whose config changed are rebuilt (balancer, hosts) and keep the pools of addresses they
 * still have. Everything runs on the loop: no locks, no hand-off.
 */
public final class LoopClusters {
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final UpstreamInitializers initializers;
    private final ProxyMetrics metrics;
    private final LoadBalancers.Context balancerContext;
    private ProxyConfig config;
    private Map<String, UpstreamCluster> clusters = Map.of();

    public LoopClusters(EventLoop loop, Class<? extends SocketChannel> channelClass, UpstreamInitializers initializers,
                        ProxyMetrics metrics, RandomGenerator random) {
        this(loop, channelClass, initializers, metrics, new LoadBalancers.Context(random, System::nanoTime, ""));
    }

    /** @param balancerContext the loop's random source, nano clock and the sidecar's zone */
    public LoopClusters(EventLoop loop, Class<? extends SocketChannel> channelClass, UpstreamInitializers initializers,
                        ProxyMetrics metrics, LoadBalancers.Context balancerContext) {
        this.loop = loop;
        this.channelClass = channelClass;
        this.initializers = initializers;
        this.metrics = metrics;
        this.balancerContext = balancerContext;
    }

    /** The cluster named {@code name} under {@code current}, or null if the config has none. */
    public UpstreamCluster cluster(ProxyConfig current, String name) {
        if (current != config) {
            sync(current);
        }
        return clusters.get(name);
    }

    private void sync(ProxyConfig next) {
        Map<String, UpstreamCluster> built = new HashMap<>();
        for (ClusterConfig cc : next.clusters().values()) {
            UpstreamCluster old = clusters.get(cc.name());
            built.put(cc.name(), old != null && old.config().equals(cc) ? old : new UpstreamCluster(cc, old, this));
        }
        for (Map.Entry<String, UpstreamCluster> e : clusters.entrySet()) {
            if (!built.containsKey(e.getKey())) {
                e.getValue().retireExcept(Map.of());
            }
        }
        clusters = built;
        config = next;
    }

    /** Per-endpoint load on this loop; call on the loop. */
    public List<EndpointLoad> load() {
        List<EndpointLoad> out = new ArrayList<>();
        for (UpstreamCluster c : clusters.values()) {
            for (UpstreamHost h : c.hosts()) {
                out.add(new EndpointLoad(c.config().name(), h.endpoint().address(), h.activeRequests(),
                        h.pool().openConnections(), h.pool().idleConnections()));
            }
        }
        return out;
    }

    /** In-flight requests and connections of one endpoint on one loop, for /clusters. */
    public record EndpointLoad(String cluster, InetSocketAddress address, int activeRequests, int openConnections, int idleConnections) {
    }

    EventLoop eventLoop() {
        return loop;
    }

    Class<? extends SocketChannel> channelClass() {
        return channelClass;
    }

    UpstreamInitializers initializers() {
        return initializers;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    LoadBalancers.Context balancerContext() {
        return balancerContext;
    }

    LongSupplier nanoClock() {
        return balancerContext.nanoClock();
    }
}
