package dev.weft.controlplane.store;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes. It drains whatever callers queued and applies it as one SQLite
 * transaction (group commit): each request runs inside a savepoint so a failing one is rolled back
 * alone, and a single fsync at COMMIT makes the whole batch durable. Only then are watchers fed and
 * futures completed, on this thread; completions are plain {@code complete} calls, so any
 * continuation a caller attached runs here and must not block (see {@link Store#commit}).
 */
final class StoreWriter {
    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
    private static final WriteRequest STOP = new WriteRequest() {
        @Override
        public Applied apply(KvSql sql, long revision) {
            throw new IllegalStateException("stop marker is not applied");
        }

        @Override
        public void fail(Throwable error) {}
    };

    private final KvSql sql;
    private final Statement control;
    private final WatchHub hub;
    private final LongConsumer onRevision;
    private final int maxBatch;
    private final BlockingQueue<WriteRequest> queue = new LinkedBlockingQueue<>();
    // read side: enqueue; write side: close. Guarantees nothing is queued behind the stop marker.
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private boolean closed;
    private long revision;

    StoreWriter(KvSql sql, long revision, WatchHub hub, LongConsumer onRevision, int maxBatch) throws SQLException {
        this.sql = sql;
        this.control = sql.connection().createStatement();
        this.revision = revision;
        this.hub = hub;
        this.onRevision = onRevision;
        this.maxBatch = maxBatch;
        this.thread = new Thread(this::run, "weft-store-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues a request; fails it at once if the store is closed. */
    void submit(WriteRequest request) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                request.fail(new StoreException("store is closed"));
                return;
            }
            queue.add(request);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Lets every queued request finish, then stops the thread. */
    void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<WriteRequest> batch = new ArrayList<>(maxBatch);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(STOP);
                if (!batch.isEmpty()) {
                    applyBatch(batch);
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("store writer interrupted; failing queued writes");
            batch.forEach(r -> r.fail(new StoreException("store writer interrupted")));
            queue.forEach(r -> r.fail(new StoreException("store writer interrupted")));
        } finally {
            stopped.countDown();
        }
    }

    private void applyBatch(List<WriteRequest> batch) {
        long committed = revision;
        long next = revision;
        List<Runnable> completions = new ArrayList<>(batch.size());
        List<WatchHub.Batch> published = new ArrayList<>();
        try {
            control.execute("BEGIN IMMEDIATE");
            for (WriteRequest request : batch) {
                control.execute("SAVEPOINT req");
                try {
                    WriteRequest.Applied applied = request.apply(sql, next + 1);
                    control.execute("RELEASE req");
                    if (!applied.events().isEmpty()) {
                        next++;
                        published.add(new WatchHub.Batch(next, applied.events()));
                    }
                    completions.add(applied.onDurable());
                } catch (StoreException | IllegalArgumentException e) {
                    rollbackTo();
                    completions.add(() -> request.fail(e));
                } catch (SQLException e) {
                    rollbackTo();
                    StoreException error = new StoreException("write failed: " + e.getMessage(), e);
                    completions.add(() -> request.fail(error));
                }
            }
            control.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
            // nothing of this batch is durable: fail all of it, including what "succeeded" above
            log.error("store batch of {} writes failed to commit; revision stays {}", batch.size(), committed, e);
            rollbackAll();
            StoreException error = new StoreException("commit failed: " + e.getMessage(), e);
            batch.forEach(r -> r.fail(error));
            return;
        }
        revision = next;
        // watchers and currentRevision() first, so a caller seeing its future complete can watch from that revision
        hub.publish(published);
        onRevision.accept(next);
        for (Runnable completion : completions) {
            try {
                completion.run();
            } catch (RuntimeException e) {
                log.warn("a commit continuation threw on the writer thread", e);
            }
        }
    }

    private void rollbackTo() {
        try {
            control.execute("ROLLBACK TO req");
            control.execute("RELEASE req");
        } catch (SQLException e) {
            // the COMMIT that follows will fail too and report the batch
            log.error("rollback to savepoint failed", e);
        }
    }

    private void rollbackAll() {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            log.debug("rollback after failed commit", e);
        }
    }
}
