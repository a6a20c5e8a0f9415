package dev.weft.controlplane.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link Store}: one SQLite database in WAL mode with {@code synchronous=FULL}, one
 * writer thread doing group commit, reader threads for get and range, and an in-memory window of
 * recent events for watches.
 *
 * <p>Threads: commit, grantLease and revokeLease futures complete on {@code weft-store-writer}
 * after the batch's COMMIT (durable); get and range futures on {@code weft-store-reader-N}; watch
 * listeners run on {@code weft-store-watch}. None of them may block.
 *
 * <p>A transaction (or a lease revoke/expiry) that changes no key does not create a revision, as
 * in etcd; a failed compare never does. Watch history lives in memory only: after a restart a
 * watch can start at {@code currentRevision() + 1}, anything older is {@link CompactedException}.
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    /**
     * @param dataDir directory holding the database; created 0700
     * @param clock drives lease deadlines
     * @param historyEvents how many recent events watches can replay
     * @param leaseCheckInterval how often expired leases are reaped; zero disables the timer (tests call expireLeases)
     * @param maxBatch most writes applied in one SQLite transaction
     * @param readerThreads threads (and connections) serving get and range
     */
    public record Options(Path dataDir, Clock clock, int historyEvents, Duration leaseCheckInterval, int maxBatch, int readerThreads) {
        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(leaseCheckInterval, "leaseCheckInterval");
            if (historyEvents < 1 || maxBatch < 1 || readerThreads < 1 || leaseCheckInterval.isNegative()) {
                throw new IllegalArgumentException("historyEvents, maxBatch and readerThreads must be positive, leaseCheckInterval not negative");
            }
        }

        public static Options defaults(Path dataDir, Clock clock) {
            return new Options(dataDir, clock, 100_000, Duration.ofMillis(500), 1_000, 2);
        }
    }

    private final StoreFiles files;
    private final KvSql writeSql;
    private final StoreWriter writer;
    private final StoreReader reader;
    private final WatchHub hub;
    private final LeaseDeadlines leases;
    private final ScheduledExecutorService leaseTimer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long revision;

    private SqliteStore(StoreFiles files, KvSql writeSql, long revision, Options options) throws SQLException {
        this.files = files;
        this.writeSql = writeSql;
        this.revision = revision;
        this.hub = new WatchHub(revision, options.historyEvents());
        this.leases = new LeaseDeadlines(options.clock());
        for (long[] lease : writeSql.leases()) {
            leases.start(lease[0], lease[1]);
        }
        this.writer = new StoreWriter(writeSql, revision, hub, r -> this.revision = r, options.maxBatch());
        this.reader = new StoreReader(files.db(), options.readerThreads());
        if (options.leaseCheckInterval().isZero()) {
            leaseTimer = null;
        } else {
            leaseTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "weft-store-leases");
                t.setDaemon(true);
                return t;
            });
            long every = options.leaseCheckInterval().toMillis();
            leaseTimer.scheduleWithFixedDelay(this::expireLeasesLogged, every, every, TimeUnit.MILLISECONDS);
        }
        writer.start();
    }

    public static SqliteStore open(Path dataDir, Clock clock) {
        return open(Options.defaults(dataDir, clock));
    }

    public static SqliteStore open(Options options) {
        StoreFiles files = StoreFiles.prepare(options.dataDir());
        Connection connection = null;
        KvSql sql = null;
        try {
            connection = Schema.openWriter(files.db());
            long revision = Schema.createOrCheck(connection, files.db());
            sql = new KvSql(connection);
            long keys = sql.keyCount();
            int leaseCount = sql.leases().size();
            for (var fixed : files.recheck()) {
                log.warn("store file {} had wider permissions than 0600; restricted", fixed);
            }
            SqliteStore store = new SqliteStore(files, sql, revision, options);
            log.info("store opened path={} revision={} keys={} leases={}", files.db(), revision, keys, leaseCount);
            return store;
        } catch (SQLException e) {
            closeQuietly(connection);
            files.close();
            throw new StoreException("cannot open store " + files.db() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            files.close();
            throw e;
        }
    }

    @Override
    public long currentRevision() {
        return revision;
    }

    @Override
    public CompletableFuture<TxnResult> commit(Txn txn) {
        CompletableFuture<TxnResult> future = new CompletableFuture<>();
        try {
            validate(txn);
        } catch (IllegalArgumentException e) {
            future.completeExceptionally(e);
            return future;
        }
        writer.submit(new TxnWrite(txn, future));
        return future;
    }

    @Override
    public CompletableFuture<Optional<KeyValue>> get(String key) {
        try {
            KeyRanges.requireKey(key, "key");
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return reader.read(sql -> sql.get(key));
    }

    @Override
    public CompletableFuture<RangeResult> range(String prefix) {
        if (prefix == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("prefix must not be null (use \"\" for every key)"));
        }
        return reader.read(sql -> {
            long rev = sql.revision();
            return new RangeResult(sql.range(prefix), rev);
        });
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        return hub.register(prefix, fromRevision, listener);
    }

    @Override
    public CompletableFuture<Lease> grantLease(Duration ttl) {
        CompletableFuture<Lease> future = new CompletableFuture<>();
        if (ttl == null || ttl.toMillis() <= 0) {
            future.completeExceptionally(new IllegalArgumentException("lease ttl must be at least 1 ms, got " + ttl));
            return future;
        }
        writer.submit(new LeaseWrites.Grant(ttl, leases, future));
        return future;
    }

    @Override
    public boolean keepAlive(long leaseId) {
        return !closed.get() && leases.keepAlive(leaseId);
    }

    @Override
    public CompletableFuture<Void> revokeLease(long leaseId) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        writer.submit(new LeaseWrites.Revoke(leaseId, false, leases, future));
        return future;
    }

    /**
     * Revokes every lease whose deadline has passed on the injected clock; the timer calls this in
     * production, tests call it after moving a fake clock. Completes when the deletes are durable.
     */
    CompletableFuture<Void> expireLeases() {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (LeaseDeadlines.Expired lease : leases.takeExpired()) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            writer.submit(new LeaseWrites.Revoke(lease.id(), true, leases, f));
            done.add(f.whenComplete((ok, error) -> {
                if (error != null && !closed.get()) {
                    log.warn("expiring lease {} failed; retrying on the next pass", lease.id(), error);
                    leases.retry(lease);
                }
            }));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (leaseTimer != null) {
            leaseTimer.shutdownNow();
        }
        writer.close();
        hub.close();
        reader.close();
        closeQuietly(writeSql);
        files.recheck();
        files.close();
        log.info("store closed path={} revision={}", files.db(), revision);
    }

    private void expireLeasesLogged() {
        try {
            expireLeases();
        } catch (RuntimeException e) {
            log.warn("lease expiry pass failed", e);
        }
    }

    /** Rejects malformed transactions up front, so nothing of them is ever applied. */
    private static void validate(Txn txn) {
        if (txn == null) {
            throw new IllegalArgumentException("txn must not be null");
        }
        for (Txn.Compare c : txn.compares()) {
            KeyRanges.requireKey(c.key(), "compare key");
        }
        Set<String> written = new HashSet<>();
        for (Txn.Op op : txn.ops()) {
            String key;
            if (op instanceof Txn.Put put) {
                key = put.key();
            } else if (op instanceof Txn.Delete del) {
                key = del.key();
            } else {
                String prefix = ((Txn.DeletePrefix) op).prefix();
                if (prefix == null) {
                    throw new IllegalArgumentException("deletePrefix prefix must not be null (use \"\" for every key)");
                }
                continue;
            }
            KeyRanges.requireKey(key, op.getClass().getSimpleName().toLowerCase() + " key");
            // etcd rejects a key written twice in one txn: its version and events would be ambiguous
            if (!written.add(key)) {
                throw new IllegalArgumentException("key '" + key + "' is written twice in one txn");
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already closing or failing
        }
    }
}
