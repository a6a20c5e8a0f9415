package dev.weft.controlplane.xds;

import com.google.protobuf.Message;
import dev.weft.controlplane.registry.Catalog;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the snapshot cache in step with the registry: waits for catalog changes (no polling),
 * gathers them for the debounce interval, rebuilds, and sets a snapshot for every connected node.
 * A node that connects later gets its snapshot on its first request, before the cache looks.
 *
 * <p>Nodes with the same {@link NodeInfo.Profile} share one snapshot. Each profile keeps the last
 * resources per type and bumps a type's version only when they differ, so an endpoint change
 * sends EDS only. Versions are {@code <boot>-<n>}: unique across restarts, so that a client
 * reconnecting with an old version always gets the new content.
 */
final class XdsSnapshotPublisher implements DiscoveryServerCallbacks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XdsSnapshotPublisher.class);
    /** How long one catalog wait lasts before it is renewed; any value works, the wait ends early on a change. */
    private static final Duration CATALOG_WAIT = Duration.ofMinutes(5);
    /** Snapshots of nodes that went away are dropped this long after their last stream closed. */
    private static final Duration COLLECT_DELAY = Duration.ofSeconds(1);

    private final Catalog catalog;
    private final SimpleCache<String> cache;
    private final SnapshotBuilder builder;
    private final Duration debounce;
    private final XdsMetrics metrics;
    private final ScheduledExecutorService thread;
    private final String boot;
    private final AtomicLong versions = new AtomicLong();

    private final Set<Long> openStreams = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Long, String> streamNodes = new ConcurrentHashMap<>();

    // Guarded by this.
    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final Map<String, Integer> streamsPerNode = new HashMap<>();
    private final Map<NodeInfo.Profile, ProfileState> profiles = new HashMap<>();
    private SnapshotBuilder.Mesh mesh;

    // Owned by the publisher thread.
    private long builtIndex;
    private volatile boolean closed;

    XdsSnapshotPublisher(Catalog catalog, SimpleCache<String> cache, SnapshotBuilder builder, Duration debounce,
                         PrometheusRegistry metrics) {
        this.catalog = catalog;
        this.cache = cache;
        this.builder = builder;
        this.debounce = debounce;
        this.metrics = new XdsMetrics(metrics, openStreams::size);
        this.boot = String.format("%08x", new SecureRandom().nextInt());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-xds-snapshots");
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the first mesh now (so early streams never wait) and starts following the catalog. */
    XdsSnapshotPublisher start() {
        long index = catalog.index();
        synchronized (this) {
            mesh = builder.mesh(catalog.services());
        }
        thread.execute(() -> {
            builtIndex = index;
            awaitChange();
        });
        return this;
    }

    XdsMetrics metrics() {
        return metrics;
    }

    // ---- following the catalog (publisher thread) ---------------------------------------------

    private void awaitChange() {
        if (closed) {
            return;
        }
        long from = builtIndex;
        java.util.concurrent.CompletableFuture<Long> change;
        try {
            change = catalog.awaitCatalog(from, CATALOG_WAIT);
        } catch (RuntimeException e) {
            log.warn("xds: cannot wait for registry changes, retrying in 1s error=\"{}\"", e.toString());
            schedule(this::awaitChange, Duration.ofSeconds(1));
            return;
        }
        change.whenComplete((index, error) -> execute(() -> {
            if (error != null) {
                log.warn("xds: waiting for registry changes failed, retrying in 1s error=\"{}\"", error.toString());
                schedule(this::awaitChange, Duration.ofSeconds(1));
            } else if (index > from) {
                schedule(this::rebuild, debounce); // changes arriving meanwhile are folded into this rebuild
            } else {
                awaitChange();
            }
        }));
    }

    private void rebuild() {
        if (closed) {
            return;
        }
        long index = catalog.index(); // read first: a change after this point triggers another rebuild
        try {
            publishAll();
        } catch (RuntimeException e) {
            log.error("xds: snapshot rebuild failed index={}", index, e);
        }
        builtIndex = index;
        awaitChange();
    }

    private synchronized void publishAll() {
        long start = System.nanoTime();
        mesh = builder.mesh(catalog.services());
        Map<NodeInfo.Profile, Snapshot> built = new HashMap<>();
        for (NodeInfo node : nodes.values()) {
            Snapshot s = built.computeIfAbsent(node.profile(), this::snapshotFor);
            setIfNew(node.id(), s);
        }
        profiles.keySet().retainAll(built.keySet());
        collectDisconnectedLocked();
        metrics.built(System.nanoTime() - start);
        log.debug("xds: snapshots rebuilt nodes={} profiles={}", nodes.size(), built.size());
    }

    private Snapshot snapshotFor(NodeInfo.Profile profile) {
        return profiles.computeIfAbsent(profile, p -> new ProfileState()).update(builder.forProfile(mesh, profile));
    }

    private void setIfNew(String nodeId, Snapshot s) {
        if (cache.getSnapshot(nodeId) != s) {
            cache.setSnapshot(nodeId, s);
        }
    }

    private void collectDisconnectedLocked() {
        for (String group : new ArrayList<>(cache.groups())) {
            if (!nodes.containsKey(group)) {
                cache.clearSnapshot(group); // refuses while a watch is still open; the next pass retries
            }
        }
    }

    private synchronized void collectDisconnected() {
        collectDisconnectedLocked();
    }

    // ---- streams (gRPC threads) ---------------------------------------------------------------

    @Override
    public void onStreamOpen(long streamId, String typeUrl) {
        openStreams.add(streamId);
    }

    @Override
    public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
        String id = request.getNode().getId();
        if (id.isEmpty()) {
            // The cache keys snapshots by node id on every request: without it the stream would hang silently.
            throw new RequestException(Status.INVALID_ARGUMENT.withDescription(
                    "every DiscoveryRequest must carry node.id (Weft keys configuration by it)"));
        }
        String known = streamNodes.get(streamId);
        if (known != null) {
            if (!known.equals(id)) {
                throw new RequestException(Status.INVALID_ARGUMENT.withDescription(
                        "node.id changed within one stream (was '" + known + "', now '" + id + "')"));
            }
            return;
        }
        NodeInfo node = NodeInfo.parse(request.getNode());
        streamNodes.put(streamId, id);
        synchronized (this) {
            streamsPerNode.merge(id, 1, Integer::sum);
            NodeInfo previous = nodes.put(id, node);
            if (previous == null || !previous.profile().equals(node.profile()) || cache.getSnapshot(id) == null) {
                long start = System.nanoTime();
                setIfNew(id, snapshotFor(node.profile()));
                metrics.built(System.nanoTime() - start);
            }
        }
        log.info("xds stream opened stream={} node={} kind={} service={}", streamId, id,
                node.kind().name().toLowerCase(java.util.Locale.ROOT), node.service());
    }

    @Override
    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
        throw new RequestException(Status.UNIMPLEMENTED.withDescription(
                "incremental (delta) xDS is not served; use state-of-the-world ADS"));
    }

    @Override
    public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
        XdsResources.Type type = XdsResources.Type.forTypeUrl(response.getTypeUrl());
        if (type != null) {
            metrics.pushed(type);
        }
    }

    @Override
    public void onStreamClose(long streamId, String typeUrl) {
        streamClosed(streamId);
    }

    @Override
    public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
        streamClosed(streamId);
    }

    private void streamClosed(long streamId) {
        if (!openStreams.remove(streamId)) {
            return;
        }
        String id = streamNodes.remove(streamId);
        if (id == null) {
            return;
        }
        boolean gone;
        synchronized (this) {
            gone = streamsPerNode.merge(id, -1, Integer::sum) <= 0;
            if (gone) {
                streamsPerNode.remove(id);
                nodes.remove(id);
            }
        }
        log.info("xds stream closed stream={} node={}", streamId, id);
        if (gone) {
            // The cache still holds the stream's watches during this callback; drop the snapshot a little later.
            schedule(this::collectDisconnected, COLLECT_DELAY);
        }
    }

    int openStreams() {
        return openStreams.size();
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    private void execute(Runnable r) {
        try {
            thread.execute(r);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void schedule(Runnable r, Duration delay) {
        try {
            thread.schedule(r, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last resources and version of each type for one profile. */
    private final class ProfileState {
        private final Map<XdsResources.Type, List<? extends Message>> last = new EnumMap<>(XdsResources.Type.class);
        private final Map<XdsResources.Type, String> version = new EnumMap<>(XdsResources.Type.class);
        private Snapshot snapshot;

        Snapshot update(XdsResources resources) {
            boolean changed = false;
            for (XdsResources.Type t : XdsResources.Type.values()) {
                List<? extends Message> now = resources.of(t);
                if (!now.equals(last.get(t))) {
                    last.put(t, now);
                    version.put(t, boot + "-" + versions.incrementAndGet());
                    changed = true;
                }
            }
            if (changed || snapshot == null) {
                snapshot = Snapshot.create(
                        resources.clusters(), version.get(XdsResources.Type.CDS),
                        resources.endpoints(), version.get(XdsResources.Type.EDS),
                        resources.listeners(), version.get(XdsResources.Type.LDS),
                        resources.routes(), version.get(XdsResources.Type.RDS),
                        List.of(), boot);
            }
            return snapshot;
        }
    }

    /** For tests: the set of node ids with a snapshot in the cache. */
    Set<String> cachedNodes() {
        return new HashSet<>(cache.groups());
    }
}
