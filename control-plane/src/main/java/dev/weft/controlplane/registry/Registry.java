package dev.weft.controlplane.registry;

import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.store.KeyValue;
import dev.weft.controlplane.store.Store;
import dev.weft.controlplane.store.Txn;
import dev.weft.controlplane.store.TxnResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service registry: instances, their checks and health, kept in memory and persisted in the
 * {@link Store}.
 *
 * <p>One thread ("weft-registry") owns the mutable model. Writers enqueue mutations; the thread
 * takes everything queued, validates and applies it to the model, and commits one store
 * transaction per mutation, all in flight together so that the store can group-commit them. Only
 * when the whole batch is durable does it publish new immutable {@link ServiceEntry} values and
 * complete the callers' futures, so readers never see a change that could be lost.
 *
 * <p>TTL heartbeats that do not change a status stay in memory; every status change is persisted.
 * After a restart, persisted statuses are restored and every TTL check gets a fresh window.
 */
public final class Registry implements Catalog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);
    private static final int MAX_BATCH = 1024;
    private static final int MAX_OUTPUT = 4096;

    private final Store store;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    // Owned by the registry thread.
    private final Map<String, InstanceModel> instances = new HashMap<>();
    private final Map<String, TreeMap<String, InstanceModel>> byService = new HashMap<>();
    private final Map<String, CheckModel> checks = new HashMap<>();
    private final java.util.ArrayDeque<Mutation> queue = new java.util.ArrayDeque<>();
    private boolean batchInFlight;
    private boolean closed;

    // Published: read from any thread without locks.
    private final ConcurrentHashMap<String, ServiceEntry> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> serviceIndexes = new ConcurrentHashMap<>();
    private final Waiters waiters;
    private final List<CheckListener> checkListeners = new CopyOnWriteArrayList<>();
    private final long startIndex;
    private volatile long index;

    private Registry(Store store, Clock clock, Duration tickInterval) {
        this.store = store;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-registry");
            t.setDaemon(true);
            return t;
        });
        this.waiters = new Waiters(thread);
        this.startIndex = store.currentRevision();
        this.index = startIndex;
        try {
            thread.submit(this::loadFromStore).get();
        } catch (Exception e) {
            thread.shutdownNow();
            throw new IllegalStateException("cannot load the registry from the store: " + e.getMessage(), e);
        }
        if (!tickInterval.isZero()) {
            long ms = tickInterval.toMillis();
            thread.scheduleWithFixedDelay(this::tickNow, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Loads the registry from the store.
     *
     * @param tickInterval how often TTL deadlines and {@code deregister_critical_after} are checked;
     *     {@link Duration#ZERO} turns automatic checking off (tests call {@link #tick()} with a fake clock)
     */
    public static Registry open(Store store, Clock clock, Duration tickInterval) {
        return new Registry(store, clock, tickInterval);
    }

    // ---- writes -------------------------------------------------------------------------------

    /** Registers the instance, or replaces it if the id is known. Completes with the index once durable. */
    public CompletableFuture<Long> register(Registration registration) {
        return submit(new Mutation.Register(registration));
    }

    /** Removes an instance and its checks. Fails with {@link NotFoundException} if unknown. */
    public CompletableFuture<Long> deregister(String instanceId) {
        return submit(new Mutation.Deregister(instanceId, null));
    }

    /**
     * A status report for a TTL check (from the instance or its sidecar): refreshes the TTL and sets
     * the status. Fails with {@link NotFoundException} for an unknown check and {@link ConflictException}
     * for a check that is not a TTL check.
     */
    public CompletableFuture<Long> reportTtl(String checkId, HealthStatus status, String output) {
        return submit(new Mutation.SetStatus(checkId, status, output, StatusSource.TTL_REPORT));
    }

    /** The result of an active probe (HTTP or TCP), reported by the prober. */
    public CompletableFuture<Long> recordProbe(String checkId, HealthStatus status, String output) {
        return submit(new Mutation.SetStatus(checkId, status, output, StatusSource.PROBE));
    }

    /** Runs the TTL and deregistration deadlines against the clock now; for tests with a fake clock. */
    public CompletableFuture<Void> tick() {
        return CompletableFuture.runAsync(this::tickNow, thread);
    }

    /** Told when active checks appear and disappear, so that a prober can run them. */
    public void addCheckListener(CheckListener listener) {
        checkListeners.add(listener);
        thread.execute(() -> checks.values().forEach(c -> listener.onCheckAdded(c.spec, c.instanceId)));
    }

    /** Listener for the prober: called on the registry thread, must not block. */
    public interface CheckListener {
        void onCheckAdded(CheckSpec check, String instanceId);

        void onCheckRemoved(String checkId);
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    public long index() {
        return index;
    }

    @Override
    public Optional<ServiceEntry> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    @Override
    public Collection<ServiceEntry> services() {
        return new TreeMap<>(services).values();
    }

    @Override
    public long serviceIndex(String name) {
        return serviceIndexes.getOrDefault(name, startIndex);
    }

    /** The instance with this id, if registered. */
    public Optional<InstanceEntry> instance(String instanceId) {
        for (ServiceEntry s : services.values()) {
            for (InstanceEntry e : s.instances()) {
                if (e.instance().id().equals(instanceId)) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public CompletableFuture<Long> awaitService(String name, long index, Duration wait) {
        return waiters.await(name, index, wait, () -> serviceIndex(name));
    }

    @Override
    public CompletableFuture<Long> awaitCatalog(long index, Duration wait) {
        return waiters.await(Waiters.CATALOG, index, wait, this::index);
    }

    @Override
    public void close() {
        try {
            thread.submit(() -> {
                closed = true;
                for (Mutation m : queue) {
                    m.future.completeExceptionally(new IllegalStateException("the registry is shutting down"));
                }
                queue.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("registry close: {}", e.toString());
        }
        waiters.releaseAll(this::index);
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the registry thread ------------------------------------------------------------------

    private CompletableFuture<Long> submit(Mutation m) {
        try {
            thread.execute(() -> {
                if (closed) {
                    m.future.completeExceptionally(new IllegalStateException("the registry is shutting down"));
                    return;
                }
                queue.add(m);
                startBatch();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            m.future.completeExceptionally(new IllegalStateException("the registry is shutting down"));
        }
        return m.future;
    }

    private void startBatch() {
        if (batchInFlight || queue.isEmpty()) {
            return;
        }
        List<Prepared> batch = new ArrayList<>();
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            Mutation m = queue.poll();
            try {
                Prepared p = prepare(m);
                if (p == null) {
                    m.future.complete(index);
                } else {
                    batch.add(p);
                }
            } catch (RuntimeException e) {
                m.future.completeExceptionally(e);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        batchInFlight = true;
        List<CompletableFuture<TxnResult>> commits = new ArrayList<>(batch.size());
        for (Prepared p : batch) {
            commits.add(store.commit(p.txn));
        }
        CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new))
                .whenComplete((ignored, error) -> thread.execute(() -> finishBatch(batch, commits)));
    }

    private void finishBatch(List<Prepared> batch, List<CompletableFuture<TxnResult>> commits) {
        boolean failed = false;
        long maxRevision = index;
        Set<String> touched = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Prepared p = batch.get(i);
            CompletableFuture<TxnResult> c = commits.get(i);
            if (c.isCompletedExceptionally() || !c.join().succeeded()) {
                failed = true;
                continue;
            }
            long revision = c.join().revision();
            p.onCommitted.accept(revision);
            maxRevision = Math.max(maxRevision, revision);
            touched.addAll(p.services);
            for (String s : p.services) {
                serviceIndexes.merge(s, revision, Math::max);
            }
        }
        if (failed) {
            // The model already holds the failed changes; the store is the truth, so start over from it.
            log.error("store commit failed; reloading the registry from the store");
            reloadFromStore();
            touched.addAll(byService.keySet());
        }
        index = Math.max(index, maxRevision);
        for (String s : touched) {
            publish(s);
        }
        for (int i = 0; i < batch.size(); i++) {
            Prepared p = batch.get(i);
            CompletableFuture<TxnResult> c = commits.get(i);
            if (c.isCompletedExceptionally()) {
                Throwable t = c.handle((r, e) -> e).join();
                p.mutation.future.completeExceptionally(t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t);
            } else if (!c.join().succeeded()) {
                p.mutation.future.completeExceptionally(new IllegalStateException("store transaction did not apply"));
            } else {
                p.mutation.future.complete(c.join().revision());
            }
        }
        for (String s : touched) {
            waiters.wake(s, serviceIndex(s));
        }
        waiters.wake(Waiters.CATALOG, index);
        batchInFlight = false;
        startBatch();
    }

    /** Validates a mutation against the model and applies it there; null when nothing changes. */
    private Prepared prepare(Mutation m) {
        if (m instanceof Mutation.Register r) {
            return prepareRegister(r);
        }
        if (m instanceof Mutation.Deregister d) {
            return prepareDeregister(d);
        }
        return prepareStatus((Mutation.SetStatus) m);
    }

    private Prepared prepareRegister(Mutation.Register m) {
        Registration reg = m.registration;
        Instance inst = reg.instance();
        InstanceModel old = instances.get(inst.id());
        for (CheckSpec c : reg.checks()) {
            CheckModel existing = checks.get(c.id());
            if (existing != null && !existing.instanceId.equals(inst.id())) {
                throw new ConflictException("check id '" + c.id() + "' already belongs to instance '" + existing.instanceId + "'");
            }
        }
        Instant now = clock.instant();
        Txn.Builder txn = Txn.builder();
        Set<String> touched = new HashSet<>();
        touched.add(inst.service());
        txn.put(RegistryKeys.instance(inst.service(), inst.id()), RegistryCodec.encodeRegistration(reg));
        Set<String> keptChecks = new HashSet<>();
        List<CheckModel> newChecks = new ArrayList<>();
        for (CheckSpec spec : reg.checks()) {
            CheckModel existing = checks.get(spec.id());
            CheckModel cm;
            if (existing != null && existing.spec.type() == spec.type()) {
                // Re-registration (a restarted sidecar, say) keeps the known status.
                cm = existing.withSpec(spec, now);
                keptChecks.add(spec.id());
            } else {
                cm = new CheckModel(spec, inst.id(), spec.initialStatus(), "", 0, now);
                txn.put(RegistryKeys.status(spec.id()), RegistryCodec.encodeStatus(cm.status, cm.output));
            }
            newChecks.add(cm);
        }
        List<String> removedChecks = new ArrayList<>();
        if (old != null) {
            if (!old.reg.instance().service().equals(inst.service())) {
                txn.delete(RegistryKeys.instance(old.reg.instance().service(), inst.id()));
                touched.add(old.reg.instance().service());
            }
            for (String id : old.checkIds()) {
                if (!keptChecks.contains(id) && newChecks.stream().noneMatch(c -> c.spec.id().equals(id))) {
                    txn.delete(RegistryKeys.status(id));
                    removedChecks.add(id);
                } else if (!keptChecks.contains(id)) {
                    removedChecks.add(id); // replaced by a check of another type under the same id
                }
            }
        }
        touched.forEach(s -> txn.put(RegistryKeys.serviceIndex(s), new byte[0]));

        // Apply to the model now, so that the next mutation in this batch sees it.
        if (old != null) {
            removeFromService(old);
            for (String id : old.checkIds()) {
                checks.remove(id);
            }
        }
        InstanceModel model = new InstanceModel(reg, old == null ? 0 : old.createIndex, 0);
        instances.put(inst.id(), model);
        byService.computeIfAbsent(inst.service(), k -> new TreeMap<>()).put(inst.id(), model);
        for (CheckModel cm : newChecks) {
            checks.put(cm.spec.id(), cm);
        }
        return new Prepared(m, txn.build(), touched, revision -> {
            if (model.createIndex == 0) {
                model.createIndex = revision;
            }
            model.modifyIndex = revision;
            for (CheckModel cm : newChecks) {
                if (cm.modifyIndex == 0 || !keptChecks.contains(cm.spec.id())) {
                    cm.modifyIndex = revision;
                }
            }
            for (String id : removedChecks) {
                checkListeners.forEach(l -> l.onCheckRemoved(id));
            }
            for (CheckModel cm : newChecks) {
                if (cm.spec.type() != CheckType.TTL) {
                    checkListeners.forEach(l -> l.onCheckAdded(cm.spec, cm.instanceId));
                }
            }
        });
    }

    private Prepared prepareDeregister(Mutation.Deregister m) {
        InstanceModel old = instances.get(m.instanceId);
        if (old == null) {
            throw new NotFoundException("instance '" + m.instanceId + "' is not registered");
        }
        String service = old.reg.instance().service();
        Txn.Builder txn = Txn.builder().delete(RegistryKeys.instance(service, m.instanceId));
        for (String id : old.checkIds()) {
            txn.delete(RegistryKeys.status(id));
        }
        txn.put(RegistryKeys.serviceIndex(service), new byte[0]);
        instances.remove(m.instanceId);
        removeFromService(old);
        List<String> removed = old.checkIds();
        removed.forEach(checks::remove);
        if (m.reason != null) {
            log.info("deregistered instance={} service={} reason=\"{}\"", m.instanceId, service, m.reason);
        }
        return new Prepared(m, txn.build(), Set.of(service),
                revision -> removed.forEach(id -> checkListeners.forEach(l -> l.onCheckRemoved(id))));
    }

    private Prepared prepareStatus(Mutation.SetStatus m) {
        CheckModel c = checks.get(m.checkId);
        if (c == null) {
            throw new NotFoundException("check '" + m.checkId + "' is not registered");
        }
        Instant now = clock.instant();
        switch (m.source) {
            case TTL_REPORT -> {
                if (c.spec.type() != CheckType.TTL) {
                    throw new ConflictException("check '" + m.checkId + "' is a " + c.spec.type().name()
                            + " check; only TTL checks take status reports");
                }
                c.ttlDeadline = now.plus(c.spec.ttl());
            }
            case PROBE -> {
                if (c.spec.type() == CheckType.TTL) {
                    return null; // the check was re-registered as a TTL check while the probe ran
                }
            }
            case TTL_EXPIRY -> {
                if (c.spec.type() != CheckType.TTL || !now.isAfter(c.ttlDeadline)) {
                    return null; // a report arrived after the expiry was queued
                }
            }
        }
        String output = truncate(m.output);
        if (c.status == m.status) {
            c.output = output; // heartbeats that change nothing stay in memory
            return null;
        }
        c.setStatus(m.status, now);
        c.output = output;
        String service = instances.get(c.instanceId).reg.instance().service();
        Txn txn = Txn.builder()
                .put(RegistryKeys.status(c.spec.id()), RegistryCodec.encodeStatus(m.status, output))
                .put(RegistryKeys.serviceIndex(service), new byte[0])
                .build();
        InstanceModel inst = instances.get(c.instanceId);
        return new Prepared(m, txn, Set.of(service), revision -> {
            c.modifyIndex = revision;
            inst.modifyIndex = revision;
        });
    }

    private void tickNow() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        Set<String> toDeregister = new HashSet<>();
        for (CheckModel c : checks.values()) {
            if (c.spec.type() == CheckType.TTL && c.status != HealthStatus.CRITICAL && now.isAfter(c.ttlDeadline)) {
                queue.add(new Mutation.SetStatus(c.spec.id(), HealthStatus.CRITICAL,
                        "TTL expired: no status report within " + c.spec.ttl().toMillis() + "ms", StatusSource.TTL_EXPIRY));
            }
            Duration dca = c.spec.deregisterCriticalAfter();
            if (!dca.isZero() && c.status == HealthStatus.CRITICAL && c.criticalSince != null
                    && !now.isBefore(c.criticalSince.plus(dca))) {
                toDeregister.add(c.instanceId);
            }
        }
        for (String id : toDeregister) {
            queue.add(new Mutation.Deregister(id, "a check stayed critical past deregister_critical_after"));
        }
        startBatch();
    }

    private void removeFromService(InstanceModel old) {
        String service = old.reg.instance().service();
        TreeMap<String, InstanceModel> m = byService.get(service);
        if (m != null) {
            m.remove(old.reg.instance().id());
            if (m.isEmpty()) {
                byService.remove(service);
            }
        }
    }

    private void publish(String service) {
        TreeMap<String, InstanceModel> m = byService.get(service);
        if (m == null || m.isEmpty()) {
            services.remove(service);
            return;
        }
        List<InstanceEntry> list = new ArrayList<>(m.size());
        for (InstanceModel im : m.values()) {
            List<CheckState> states = new ArrayList<>(im.reg.checks().size());
            HealthStatus worst = HealthStatus.PASSING;
            long modify = im.modifyIndex;
            for (CheckSpec spec : im.reg.checks()) {
                CheckModel c = checks.get(spec.id());
                states.add(new CheckState(c.spec, c.status, c.output, c.modifyIndex));
                worst = worst.worse(c.status);
                modify = Math.max(modify, c.modifyIndex);
            }
            list.add(new InstanceEntry(im.reg.instance(), states, worst, im.createIndex, modify));
        }
        services.put(service, ServiceEntry.of(service, list, serviceIndex(service)));
    }

    private void loadFromStore() {
        instances.clear();
        byService.clear();
        Map<String, CheckModel> oldChecks = new HashMap<>(checks);
        checks.clear();
        Instant now = clock.instant();
        List<KeyValue> kvs = store.range(RegistryKeys.ROOT).join().kvs();
        Map<String, KeyValue> statuses = new HashMap<>();
        for (KeyValue kv : kvs) {
            if (kv.key().startsWith(RegistryKeys.STATUS)) {
                statuses.put(kv.key().substring(RegistryKeys.STATUS.length()), kv);
            } else if (kv.key().startsWith(RegistryKeys.SERVICE_INDEX)) {
                serviceIndexes.merge(kv.key().substring(RegistryKeys.SERVICE_INDEX.length()), kv.modRevision(), Math::max);
            }
        }
        int loaded = 0;
        for (KeyValue kv : kvs) {
            if (!kv.key().startsWith(RegistryKeys.INSTANCES)) {
                continue;
            }
            Registration reg;
            try {
                reg = RegistryCodec.decodeRegistration(kv.value());
            } catch (RuntimeException e) {
                // Leave the record in the store for an operator to inspect; serve the rest.
                log.error("skipping unreadable registry record key={} error=\"{}\"", kv.key(), e.getMessage());
                continue;
            }
            InstanceModel model = new InstanceModel(reg, kv.createRevision(), kv.modRevision());
            instances.put(reg.instance().id(), model);
            byService.computeIfAbsent(reg.instance().service(), k -> new TreeMap<>()).put(reg.instance().id(), model);
            for (CheckSpec spec : reg.checks()) {
                KeyValue skv = statuses.get(spec.id());
                HealthStatus status = spec.initialStatus();
                String output = "";
                long modify = kv.modRevision();
                if (skv != null) {
                    try {
                        RegistryCodec.StoredStatus st = RegistryCodec.decodeStatus(skv.value());
                        status = st.status();
                        output = st.output();
                        modify = Math.max(modify, skv.modRevision());
                    } catch (RuntimeException e) {
                        log.error("unreadable check status key={} error=\"{}\"; using the initial status", skv.key(), e.getMessage());
                    }
                }
                // A fresh window for every TTL check and every deregistration deadline: a restart never empties the mesh.
                checks.put(spec.id(), new CheckModel(spec, reg.instance().id(), status, output, modify, now));
            }
            loaded++;
        }
        for (String id : oldChecks.keySet()) {
            if (!checks.containsKey(id)) {
                checkListeners.forEach(l -> l.onCheckRemoved(id));
            }
        }
        index = Math.max(index, store.currentRevision());
        services.keySet().removeIf(s -> !byService.containsKey(s));
        for (String s : byService.keySet()) {
            publish(s);
        }
        log.info("registry loaded instances={} services={} checks={} index={}", loaded, byService.size(), checks.size(), index);
    }

    private void reloadFromStore() {
        try {
            loadFromStore();
        } catch (RuntimeException e) {
            log.error("registry reload failed: {}", e.toString());
        }
    }

    private static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > MAX_OUTPUT ? s.substring(0, MAX_OUTPUT) : s;
    }

    // ---- model --------------------------------------------------------------------------------

    private static final class InstanceModel {
        final Registration reg;
        long createIndex;
        long modifyIndex;

        InstanceModel(Registration reg, long createIndex, long modifyIndex) {
            this.reg = reg;
            this.createIndex = createIndex;
            this.modifyIndex = modifyIndex;
        }

        List<String> checkIds() {
            List<String> ids = new ArrayList<>(reg.checks().size());
            reg.checks().forEach(c -> ids.add(c.id()));
            return ids;
        }
    }

    private static final class CheckModel {
        final CheckSpec spec;
        final String instanceId;
        HealthStatus status;
        String output;
        long modifyIndex;
        Instant ttlDeadline;
        Instant criticalSince;

        CheckModel(CheckSpec spec, String instanceId, HealthStatus status, String output, long modifyIndex, Instant now) {
            this.spec = spec;
            this.instanceId = instanceId;
            this.status = status;
            this.output = output;
            this.modifyIndex = modifyIndex;
            this.ttlDeadline = spec.ttl() == null ? Instant.MAX : now.plus(spec.ttl());
            this.criticalSince = status == HealthStatus.CRITICAL ? now : null;
        }

        CheckModel withSpec(CheckSpec newSpec, Instant now) {
            CheckModel c = new CheckModel(newSpec, instanceId, status, output, modifyIndex, now);
            c.criticalSince = criticalSince;
            if (newSpec.ttl() != null && ttlDeadline != null && spec.ttl() != null) {
                c.ttlDeadline = ttlDeadline.isAfter(now.plus(newSpec.ttl())) ? now.plus(newSpec.ttl()) : ttlDeadline;
            }
            return c;
        }

        void setStatus(HealthStatus s, Instant now) {
            if (s == HealthStatus.CRITICAL && status != HealthStatus.CRITICAL) {
                criticalSince = now;
            } else if (s != HealthStatus.CRITICAL) {
                criticalSince = null;
            }
            status = s;
        }
    }

    private abstract static sealed class Mutation permits Mutation.Register, Mutation.Deregister, Mutation.SetStatus {
        final CompletableFuture<Long> future = new CompletableFuture<>();

        static final class Register extends Mutation {
            final Registration registration;

            Register(Registration registration) {
                this.registration = registration;
            }
        }

        static final class Deregister extends Mutation {
            final String instanceId;
            final String reason;

            Deregister(String instanceId, String reason) {
                this.instanceId = instanceId;
                this.reason = reason;
            }
        }

        static final class SetStatus extends Mutation {
            final String checkId;
            final HealthStatus status;
            final String output;
            final StatusSource source;

            SetStatus(String checkId, HealthStatus status, String output, StatusSource source) {
                this.checkId = checkId;
                this.status = status;
                this.output = output;
                this.source = source;
            }
        }
    }

    private enum StatusSource { TTL_REPORT, PROBE, TTL_EXPIRY }

    private record Prepared(Mutation mutation, Txn txn, Set<String> services, java.util.function.LongConsumer onCommitted) {}
}
