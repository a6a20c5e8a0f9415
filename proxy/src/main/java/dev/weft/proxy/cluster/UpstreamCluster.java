package dev.weft.proxy.cluster;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.lb.Backend;
import dev.weft.proxy.lb.LoadBalancer;
import dev.weft.proxy.lb.LoadBalancers;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A cluster as one event loop uses it: hosts with their pools, the balancer, the connect bootstrap. */
public final class UpstreamCluster {
    private final ClusterConfig config;
    private final List<UpstreamHost> hosts;
    private final Map<InetSocketAddress, ConnectionPool> pools;
    private final LoadBalancer balancer;
    private final Bootstrap bootstrap;
    private final UpstreamInitializers initializers;
    private Bootstrap h2Bootstrap;
    private final GaugeDataPoint connections;
    /** When each serving address started serving, for slow start; kept across rebuilds. */
    private final Map<InetSocketAddress, Long> servingSince;

    UpstreamCluster(ClusterConfig config, UpstreamCluster previous, LoopClusters loop) {
        this.config = config;
        this.connections = loop.metrics().upstreamConnections(config.name());
        this.pools = new HashMap<>();
        this.hosts = new ArrayList<>(config.endpoints().size());
        this.servingSince = new HashMap<>();
        long now = loop.nanoClock().getAsLong();
        for (Endpoint e : config.endpoints()) {
            long since = Backend.ALWAYS_SERVING;
            if (e.isServing() && previous != null) {
                // endpoints present at the cluster's first build are not throttled: nothing is new to them
                since = previous.servingSince.getOrDefault(e.address(), now);
            }
            if (e.isServing()) {
                servingSince.put(e.address(), since);
            }
            ConnectionPool pool = pools.get(e.address());
            if (pool == null) {
                pool = previous != null ? previous.pools.get(e.address()) : null;
                if (pool == null) {
                    pool = new ConnectionPool(e.address());
                }
                pool.cluster = this;
                pools.put(e.address(), pool);
            }
            hosts.add(new UpstreamHost(e, pool, since));
        }
        if (previous != null) {
            previous.retireExcept(pools);
        }
        this.balancer = LoadBalancers.create(config.lbPolicy(), config.lbConfig(), hosts, loop.balancerContext());
        long connectMillis = Math.max(1, config.connectTimeout().toMillis());
        this.bootstrap = new Bootstrap()
                .group(loop.eventLoop())
                .channel(loop.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis))
                .handler(loop.initializers().http1());
        this.initializers = loop.initializers();
    }

    public ClusterConfig config() {
        return config;
    }

    public LoadBalancer balancer() {
        return balancer;
    }

    public List<UpstreamHost> hosts() {
        return hosts;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    /** The bootstrap of HTTP/2 connections, made on first use: most clusters never need one. */
    Bootstrap h2Bootstrap() {
        if (h2Bootstrap == null) {
            h2Bootstrap = bootstrap.clone().handler(initializers.http2Connection());
        }
        return h2Bootstrap;
    }

    UpstreamInitializers initializers() {
        return initializers;
    }

    GaugeDataPoint connectionsGauge() {
        return connections;
    }

    void retireExcept(Map<InetSocketAddress, ConnectionPool> kept) {
        for (ConnectionPool p : pools.values()) {
            if (kept.get(p.address()) != p) {
                p.retire();
            }
        }
    }
}
