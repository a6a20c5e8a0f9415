package dev.weft.controlplane.xds;

import dev.weft.controlplane.http.AdminToken;
import dev.weft.controlplane.registry.Catalog;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's xDS server: state-of-the-world ADS (docs/xds.md) on a grpc-java server,
 * configuration built from the registry and kept current as it changes. Streams must present the
 * admin token unless the config says {@code insecureNoAuth}.
 */
public final class XdsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XdsServer.class);

    private final Server server;
    private final XdsSnapshotPublisher publisher;

    private XdsServer(Server server, XdsSnapshotPublisher publisher) {
        this.server = server;
        this.publisher = publisher;
    }

    /**
     * Starts serving; returns once the port is bound.
     *
     * @param token required unless {@code config.insecureNoAuth()}
     * @param metrics where the {@code weft_xds_*} metrics are registered
     */
    public static XdsServer start(XdsConfig config, Catalog catalog, AdminToken token, PrometheusRegistry metrics) {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(metrics, "metrics");
        if (!config.insecureNoAuth()) {
            Objects.requireNonNull(token, "token (or insecureNoAuth)");
        }
        SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
        XdsSnapshotPublisher publisher = new XdsSnapshotPublisher(catalog, cache, new SnapshotBuilder(config.domain()),
                config.debounce(), metrics).start();
        V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(publisher), cache);
        ServerServiceDefinition ads = discovery.getAggregatedDiscoveryServiceImpl().bindService();
        if (!config.insecureNoAuth()) {
            ads = ServerInterceptors.intercept(ads, new AdminTokenInterceptor(token));
        }
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.bind(), config.port()))
                .addService(ads)
                // Streams live for hours: let clients ping every 10 s (even between calls), and ping idle ones ourselves.
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(60, TimeUnit.SECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            publisher.close();
            throw new IllegalStateException("cannot listen on " + config.bind().getHostAddress() + ":" + config.port()
                    + " for xDS: " + e.getMessage(), e);
        }
        XdsServer s = new XdsServer(server, publisher);
        log.info("xds server listening address={} port={} auth={} debounce_ms={}", config.bind().getHostAddress(), s.port(),
                config.insecureNoAuth() ? "off" : "admin-token", config.debounce().toMillis());
        return s;
    }

    /** The bound port (the ephemeral one when the config said 0). */
    public int port() {
        return server.getPort();
    }

    /** Open xDS streams; the same figure as {@code weft_xds_connected_proxies}. */
    public int connectedStreams() {
        return publisher.openStreams();
    }

    /** Stops accepting, gives open streams a short grace, then cancels them. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(500, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            publisher.close();
        }
    }

    XdsSnapshotPublisher publisher() {
        return publisher;
    }
}
