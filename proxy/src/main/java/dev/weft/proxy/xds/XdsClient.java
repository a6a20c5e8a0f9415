package dev.weft.proxy.xds;

import dev.weft.proxy.config.ConfigListener;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.xds.DiscoveryMessages.Response;
import dev.weft.proxy.xds.grpc.GrpcCall;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoReader;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's xDS client: one ADS stream (state of the world) to the control plane, LDS and
 * CDS by wildcard, RDS and EDS for the names those reference. Every response is ACKed or NACKed;
 * a complete configuration is delivered to the {@link ConfigListener} whenever an accepted update
 * changes it. On stream loss it reconnects with jittered exponential backoff while the last
 * configuration stays in effect. Behaviour is specified in docs/xds.md ("The sidecar's xDS client").
 *
 * <p>All protocol work runs on one thread ({@code weft-xds}); the listener is called there.
 */
public final class XdsClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XdsClient.class);
    static final String ADS_METHOD = "/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources";
    /** The largest DiscoveryResponse accepted (grpc-java's limit in the earlier client). */
    static final int MAX_RESPONSE_BYTES = 64 << 20;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);

    private final XdsClientOptions options;
    private final ConfigListener listener;
    /** The encoded Node, sent with every request. */
    private final byte[] node;
    private final ScheduledExecutorService executor;
    private final EventLoopGroup group;
    /** Whether the group was started here (no sidecar group given), and is shut down on close. */
    private final boolean ownGroup;
    private final Class<? extends Channel> channelType;
    private final GrpcCall.Options callOptions;
    private final Backoff backoff;
    private final Backoff nackPause;

    // Owned by the executor thread.
    private final XdsState state = new XdsState();
    private final EnumMap<ResourceType, String> nonces = new EnumMap<>(ResourceType.class);
    private final EnumMap<ResourceType, Set<String>> subscribed = new EnumMap<>(ResourceType.class);
    private final EnumMap<ResourceType, String> lastNackedVersion = new EnumMap<>(ResourceType.class);
    private Stream stream;
    private ProxyConfig delivered;
    private boolean started;

    // Read from any thread.
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile ProxyConfig current;
    private volatile AcceptedResources accepted = AcceptedResources.EMPTY;
    private volatile String lastNackError = "";
    private final AtomicLong updatesAccepted = new AtomicLong();
    private final AtomicLong nacks = new AtomicLong();
    private final AtomicLong streamsOpened = new AtomicLong();
    private final AtomicLong configsDelivered = new AtomicLong();

    public XdsClient(XdsClientOptions options, ConfigListener listener) {
        this(options, listener, null, null);
    }

    /**
     * @param group the event loop group the ADS connection runs on (with {@code channelType}), or null
     *     for one of its own (one more thread)
     */
    public XdsClient(XdsClientOptions options, ConfigListener listener, EventLoopGroup group,
            Class<? extends Channel> channelType) {
        this.options = options;
        this.listener = listener;
        this.node = DiscoveryMessages.node(options);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-xds");
            t.setDaemon(true);
            return t;
        });
        this.ownGroup = group == null;
        this.group = group != null ? group : new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "weft-xds-io");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
        this.channelType = group != null ? channelType : NioSocketChannel.class;
        InetSocketAddress cp = options.controlPlane();
        String host = cp.getHostString().contains(":") ? "[" + cp.getHostString() + "]" : cp.getHostString();
        this.callOptions = new GrpcCall.Options(cp, host + ":" + cp.getPort(), ADS_METHOD,
                options.token() == null || options.token().isEmpty() ? null : "Bearer " + options.token(),
                CONNECT_TIMEOUT, options.keepAliveTime(), KEEPALIVE_TIMEOUT, MAX_RESPONSE_BYTES);
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff(), options.jitter());
        this.nackPause = new Backoff(Duration.ofSeconds(1), options.maxBackoff(), () -> 1.0);
    }

    /** Opens the ADS stream; returns at once. Configurations arrive on the listener. */
    public XdsClient start() {
        executor.execute(() -> {
            if (!started && !closed) {
                started = true;
                log.info("xds client starting control_plane={} node={}", options.controlPlane(), options.nodeId());
                connect();
            }
        });
        return this;
    }

    /** The last delivered configuration, if any. */
    public Optional<ProxyConfig> current() {
        return Optional.ofNullable(current);
    }

    public XdsClientStats stats() {
        AcceptedResources a = accepted;
        Map<String, String> versions = new LinkedHashMap<>();
        a.versions().forEach((t, v) -> versions.put(t.name().toLowerCase(Locale.ROOT), v));
        return new XdsClientStats(connected, updatesAccepted.get(), nacks.get(), lastNackError, streamsOpened.get(),
                configsDelivered.get(), versions);
    }

    /** Every accepted resource as JSON, for the admin /config_dump. */
    public String configDumpJson() {
        return ConfigDump.toJson(accepted);
    }

    /**
     * The configuration saved by the last client that used {@code stateDir}, rebuilt through the same
     * translators; empty when there is none or it cannot be used (logged).
     */
    public static Optional<ProxyConfig> loadLastKnownGood(Path stateDir) {
        try {
            Optional<AcceptedResources> saved = LastKnownGood.read(stateDir);
            if (saved.isEmpty()) {
                return Optional.empty();
            }
            XdsState s = new XdsState();
            for (ResourceType t : ResourceType.values()) {
                s.apply(t, saved.get().versions().get(t), saved.get().resources().get(t));
            }
            Optional<ProxyConfig> config = s.assemble();
            if (config.isEmpty()) {
                log.warn("xds last-known-good ignored: incomplete file={}", stateDir.resolve(LastKnownGood.FILE));
            }
            return config;
        } catch (IOException | XdsResourceException e) {
            log.warn("xds last-known-good ignored: file={} error={}", stateDir.resolve(LastKnownGood.FILE), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.execute(() -> {
            if (stream != null) {
                stream.cancel("xds client closed");
                stream = null;
            }
            connected = false;
        });
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
            if (ownGroup) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("xds client closed node={}", options.nodeId());
    }

    // ---- everything below runs on the executor thread ----

    private void connect() {
        if (closed) {
            return;
        }
        Stream s = new Stream();
        stream = s;
        nonces.clear();
        subscribed.clear();
        lastNackedVersion.clear();
        streamsOpened.incrementAndGet();
        s.call = GrpcCall.start(callOptions, group, channelType, executor, s);
        // Resubscribe with the last accepted versions so that the server can skip what we have.
        for (ResourceType t : ResourceType.values()) {
            if (t.wildcard || !state.subscription(t).isEmpty()) {
                sendRequest(t, null);
            }
        }
    }

    private void sendRequest(ResourceType type, String errorDetail) {
        Set<String> names = state.subscription(type);
        subscribed.put(type, names);
        stream.call.send(DiscoveryMessages.request(node, type.typeUrl, state.version(type), nonces.getOrDefault(type, ""),
                names, errorDetail));
    }

    private void onResponse(Stream s, Response response) {
        if (s != stream) {
            return;
        }
        if (!s.answered) {
            s.answered = true;
            connected = true;
            backoff.reset();
            log.info("xds stream established control_plane={}", options.controlPlane());
        }
        ResourceType type = ResourceType.ofTypeUrl(response.typeUrl());
        if (type == null) {
            log.warn("xds response ignored: unsubscribed type_url={}", response.typeUrl());
            return;
        }
        nonces.put(type, response.nonce());
        try {
            state.apply(type, response.versionInfo(), response.resources());
        } catch (XdsResourceException e) {
            nack(s, type, response, e.getMessage());
            return;
        }
        lastNackedVersion.remove(type);
        updatesAccepted.incrementAndGet();
        accepted = state.accepted();
        log.info("xds accepted type={} version={} resources={}", type, response.versionInfo(), response.resources().size());
        sendRequest(type, null);
        // Envoy's order: the ACK first, then the EDS/RDS subscriptions the accepted CDS/LDS imply.
        ResourceType dependent = type == ResourceType.CDS ? ResourceType.EDS : type == ResourceType.LDS ? ResourceType.RDS : null;
        if (dependent != null && !state.subscription(dependent).equals(subscribed.getOrDefault(dependent, Set.of()))) {
            sendRequest(dependent, null);
        }
        deliverIfChanged();
    }

    private void nack(Stream s, ResourceType type, Response response, String error) {
        nacks.incrementAndGet();
        lastNackError = error;
        log.warn("xds rejected type={} version={} nonce={} error={}", type, response.versionInfo(), response.nonce(), error);
        // A control plane that resends the version we just rejected would otherwise spin: pause repeats.
        boolean repeat = response.versionInfo().equals(lastNackedVersion.put(type, response.versionInfo()));
        if (!repeat) {
            nackPause.reset();
            sendRequest(type, error);
            return;
        }
        String nonce = response.nonce();
        executor.schedule(() -> {
            if (s == stream && nonce.equals(nonces.get(type))) {
                sendRequest(type, error);
            }
        }, nackPause.next().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void deliverIfChanged() {
        Optional<ProxyConfig> assembled = state.assemble();
        if (assembled.isEmpty()) {
            return;
        }
        ProxyConfig next = assembled.get();
        if (delivered != null && sameContent(delivered, next)) {
            return;
        }
        delivered = next;
        current = next;
        configsDelivered.incrementAndGet();
        log.info("xds config delivered version=\"{}\" clusters={}", next.version(), next.clusters().size());
        persist();
        try {
            listener.onConfig(next);
        } catch (RuntimeException e) {
            log.error("xds config listener failed version=\"{}\"", next.version(), e);
        }
    }

    private static boolean sameContent(ProxyConfig a, ProxyConfig b) {
        return a.clusters().equals(b.clusters()) && java.util.Objects.equals(a.outbound(), b.outbound())
                && java.util.Objects.equals(a.inbound(), b.inbound());
    }

    private void persist() {
        Path dir = options.stateDir();
        if (dir == null) {
            return;
        }
        try {
            LastKnownGood.write(dir, accepted);
        } catch (IOException | RuntimeException e) {
            log.warn("xds last-known-good not saved dir={} error={}", dir, e.toString());
        }
    }

    private void onStreamEnd(Stream s, String error) {
        if (s != stream) {
            return;
        }
        stream = null;
        connected = false;
        if (closed) {
            return;
        }
        Duration delay = backoff.next();
        log.warn("xds stream lost control_plane={} error={} reconnect_in_ms={}", options.controlPlane(),
                error == null ? "completed by server" : error, delay.toMillis());
        executor.schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One ADS stream; its call's callbacks arrive on the executor. */
    private final class Stream implements GrpcCall.Listener {
        GrpcCall call;
        boolean answered;

        @Override
        public void onReady() {
            // Ready means the connection is up and the call started; a server with nothing new stays silent.
            if (this == stream) {
                connected = true;
            }
        }

        @Override
        public void onMessage(byte[] message) {
            if (this != stream) {
                return;
            }
            Response response;
            try {
                response = Response.decode(new ProtoReader(message));
            } catch (MalformedProtoException e) {
                // Without its type_url a response cannot be NACKed: end the stream, as a failed parse does in grpc-java.
                call.cancel("undecodable response");
                onStreamEnd(this, "DiscoveryResponse cannot be decoded: " + e.getMessage());
                return;
            }
            onResponse(this, response);
        }

        @Override
        public void onClose(String error) {
            onStreamEnd(this, error);
        }

        void cancel(String why) {
            call.cancel(why);
        }
    }
}
