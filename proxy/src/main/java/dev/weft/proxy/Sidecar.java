package dev.weft.proxy;

import dev.weft.proxy.admin.AdminServer;
import dev.weft.proxy.cluster.HostPort;
import dev.weft.proxy.cluster.LoopClusters;
import dev.weft.proxy.cluster.LoopClusters.EndpointLoad;
import dev.weft.proxy.config.ConfigListener;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.http.HttpLimits;
import dev.weft.proxy.http.HttpProxyPipeline;
import dev.weft.proxy.http.LoopResources;
import dev.weft.proxy.http.ProxyContext;
import dev.weft.proxy.lb.LoadBalancers;
import dev.weft.proxy.listener.ProxyListener;
import dev.weft.proxy.listener.Transport;
import dev.weft.proxy.listener.TransportSecurity;
import dev.weft.proxy.telemetry.Direction;
import dev.weft.proxy.telemetry.ProxyMetrics;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar proxy's data plane: outbound, inbound and admin listeners on one set of event loops.
 * All three listeners bind at start on the option ports; configuration arrives later through
 * {@link #apply(ProxyConfig)} (or {@link #configSink()}) and must name the same listener addresses.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

    private final SidecarOptions options;
    private final EventLoopGroup workers;
    private final EventLoopGroup adminGroup;
    private final Map<EventLoop, LoopResources> loops;
    private final ProxyMetrics metrics = new ProxyMetrics();
    private volatile ProxyConfig config = ProxyConfig.EMPTY;
    private volatile boolean appHealthy = true;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private ProxyListener outbound;
    private ProxyListener inbound;
    private AdminServer admin;
    private ProxyContext outboundContext;
    private ProxyContext inboundContext;

    private Sidecar(SidecarOptions options) {
        this.options = options;
        Transport transport = Transport.best();
        this.workers = transport.newGroup(options.eventLoopThreads(), new DefaultThreadFactory("weft-proxy", true));
        // one thread for everything off the request path: accepting connections (handed to the proxy
        // loops), the admin server and the xDS stream's I/O (see controlGroup)
        this.adminGroup = transport.newGroup(1, new DefaultThreadFactory("weft-control", true));
        Map<EventLoop, LoopResources> m = new IdentityHashMap<>();
        SplittableRandom seeds = new SplittableRandom();
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            LoopClusters clusters = new LoopClusters(loop, transport.socketChannel(), HttpProxyPipeline.upstreamInitializers(), metrics,
                    new LoadBalancers.Context(seeds.split(), System::nanoTime, options.zone()));
            m.put(loop, new LoopResources(clusters, metrics.forLoop()));
        }
        this.loops = m;
    }

    /** Binds the three listeners on the option ports; throws if any cannot bind. */
    public static Sidecar start(SidecarOptions options) {
        Sidecar s = new Sidecar(options);
        try {
            s.bind();
        } catch (Exception e) {
            s.close();
            throw new IllegalStateException("sidecar could not start: " + e.getMessage(), e);
        }
        return s;
    }

    private void bind() throws InterruptedException {
        Transport transport = Transport.best();
        HttpLimits limits = new HttpLimits(options.headerReadTimeout(), options.idleTimeout(), options.maxHeaderSize(), options.maxInitialLineLength());
        ProxyContext out = new ProxyContext(Direction.OUTBOUND, () -> config, loops, limits, metrics.activeConnections("outbound"));
        ProxyContext in = new ProxyContext(Direction.INBOUND, () -> config, loops, limits, metrics.activeConnections("inbound"));
        outboundContext = out;
        inboundContext = in;
        outbound = ProxyListener.bind(new InetSocketAddress(options.bindAddress(), options.outboundPort()), transport, adminGroup, workers,
                TransportSecurity.PLAINTEXT, out);
        listeners.add(outbound);
        inbound = ProxyListener.bind(new InetSocketAddress(options.bindAddress(), options.inboundPort()), transport, adminGroup, workers,
                options.inboundSecurity(), in);
        listeners.add(inbound);
        admin = new AdminServer(new InetSocketAddress(options.bindAddress(), options.adminPort()), adminGroup, transport.serverChannel(),
                metrics, () -> config, this::notReadyReason, this::endpointLoads);
        listeners.add(admin);
        log.info("sidecar started transport={} outbound={} inbound={} admin={} loops={}", transport,
                outbound.localAddress(), inbound.localAddress(), admin.localAddress(), options.eventLoopThreads());
    }

    /**
     * Makes {@code next} the config in effect. Rejected, with the current config kept, when a
     * listener it names is not on the address this sidecar bound (a sidecar never rebinds on a push).
     *
     * @throws IllegalArgumentException naming the listener and both addresses
     */
    public void apply(ProxyConfig next) {
        String error = validate(next);
        if (error != null) {
            log.warn("config rejected version={}: {}", next.version(), error);
            throw new IllegalArgumentException(error);
        }
        config = next;
        log.info("config applied version={} clusters={} outbound={} inbound={}", next.version(), next.clusters().size(),
                next.outbound() != null, next.inbound() != null);
    }

    /** Null when {@code cfg} fits this sidecar's bound listeners, else why it does not. */
    public String validate(ProxyConfig cfg) {
        String e = checkListener("outbound", cfg.outbound(), outbound.localAddress());
        return e != null ? e : checkListener("inbound", cfg.inbound(), inbound.localAddress());
    }

    private static String checkListener(String which, ListenerSpec spec, InetSocketAddress bound) {
        if (spec == null) {
            return null;
        }
        InetSocketAddress want = spec.address();
        boolean sameIp = want.getAddress() != null && want.getAddress().equals(bound.getAddress());
        if (!sameIp || want.getPort() != bound.getPort()) {
            return which + " listener \"" + spec.name() + "\" asks for " + HostPort.of(want)
                    + " but this sidecar is bound to " + HostPort.of(bound)
                    + " (listeners bind at start; change --bind or the port options)";
        }
        return null;
    }

    /** The sink the xDS client delivers each accepted config to; throws IllegalArgumentException to reject it. */
    public ConfigListener configSink() {
        return this::apply;
    }

    public ProxyConfig config() {
        return config;
    }

    /** The registration side's view of the local app's health; /ready is 503 while false. Defaults to true. */
    public void setAppHealthy(boolean healthy) {
        appHealthy = healthy;
    }

    /** Null when /ready answers 200. */
    public String notReadyReason() {
        if (config.outbound() == null) {
            return "no configuration with an outbound listener has been applied";
        }
        if (!appHealthy) {
            return "the local app is not healthy";
        }
        return null;
    }

    private CompletableFuture<List<EndpointLoad>> endpointLoads() {
        List<CompletableFuture<List<EndpointLoad>>> parts = new ArrayList<>();
        for (Map.Entry<EventLoop, LoopResources> e : loops.entrySet()) {
            CompletableFuture<List<EndpointLoad>> f = new CompletableFuture<>();
            e.getKey().execute(() -> {
                try {
                    f.complete(e.getValue().clusters().load());
                } catch (RuntimeException ex) {
                    f.completeExceptionally(ex);
                }
            });
            parts.add(f);
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<EndpointLoad> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            return all;
        });
    }

    public int outboundPort() {
        return outbound.localAddress().getPort();
    }

    public int inboundPort() {
        return inbound.localAddress().getPort();
    }

    public int adminPort() {
        return admin.localAddress().getPort();
    }

    /**
     * The sidecar's control thread (accepts, admin server), which the xDS client's gRPC channel also
     * uses instead of starting an event loop group of its own; with {@link #socketChannelType()}.
     */
    public EventLoopGroup controlGroup() {
        return adminGroup;
    }

    public Class<? extends io.netty.channel.socket.SocketChannel> socketChannelType() {
        return Transport.best().socketChannel();
    }

    public SidecarOptions options() {
        return options;
    }

    /**
     * Drains the outbound and inbound listeners: closes their sockets (new connections are refused),
     * closes idle keep-alive connections, answers each exchange in flight with {@code Connection:
     * close} and closes its connection after it. Completes when every connection has closed, or
     * when {@code timeout} has passed and the rest have been force-closed. The admin listener keeps
     * serving until {@link #close()}. Counting happens on each event loop, off the request path's locks.
     */
    public CompletableFuture<Void> drain(Duration timeout) {
        long start = System.nanoTime();
        outbound.close();
        inbound.close();
        log.info("drain: listeners closed, new connections are refused outbound={} inbound={}",
                outbound.localAddress(), inbound.localAddress());
        CompletableFuture<ProxyContext.Drain> out = outboundContext.drain();
        CompletableFuture<ProxyContext.Drain> in = inboundContext.drain();
        return out.thenCombine(in, (o, i) -> {
            log.info("drain: idle connections closed, waiting for exchanges in flight outbound={} inbound={} timeout={}ms",
                    o.exchangesInFlight(), i.exchangesInFlight(), timeout.toMillis());
            return CompletableFuture.allOf(o.done(), i.done());
        }).thenCompose(all -> all.thenApply(v -> true).completeOnTimeout(false, timeout.toNanos(), TimeUnit.NANOSECONDS))
                .thenCompose(inTime -> inTime ? CompletableFuture.completedFuture(0)
                        : outboundContext.closeAll().thenCombine(inboundContext.closeAll(), Integer::sum))
                .thenAccept(forced -> {
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (forced > 0) {
                        log.warn("drain: timeout passed after {} ms, force-closed connections={}", ms, forced);
                    } else {
                        log.info("drain: all connections closed after {} ms", ms);
                    }
                });
    }

    /** Stops accepting, closes every connection and stops the event loops. */
    @Override
    public void close() {
        for (AutoCloseable l : listeners) {
            try {
                l.close();
            } catch (Exception e) {
                log.debug("closing listener: {}", e.toString());
            }
        }
        listeners.clear();
        adminGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
