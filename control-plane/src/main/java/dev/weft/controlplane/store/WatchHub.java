package dev.weft.controlplane.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recent history plus live fan-out of committed changes.
 *
 * <p>Ordering without gaps or duplicates: {@link #publish} and {@link #register} run under one
 * lock, and both hand work to a single FIFO delivery thread while holding it. A batch published
 * before a registration is in that watch's replay; one published after goes to it live, because
 * each delivery task captures the watcher list as it was at publish time. Listeners run on the
 * delivery thread, never on the writer, so a slow listener cannot stall commits.
 */
final class WatchHub {
    private static final Logger log = LoggerFactory.getLogger(WatchHub.class);

    /** The events of one revision. */
    record Batch(long revision, List<WatchEvent> events) {}

    private final Object lock = new Object();
    private final int maxEvents;
    private final ArrayDeque<Batch> history = new ArrayDeque<>();
    private final ExecutorService delivery;
    private int eventCount;
    /** Every revision at or above this is either in history or not yet committed. */
    private long firstKept;
    private long lastPublished;
    private List<Watcher> watchers = List.of();
    private boolean closed;

    WatchHub(long currentRevision, int maxEvents) {
        this.maxEvents = maxEvents;
        this.firstKept = currentRevision + 1;
        this.lastPublished = currentRevision;
        this.delivery = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "weft-store-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Called by the writer once the batch is durable, in revision order. */
    void publish(List<Batch> batches) {
        if (batches.isEmpty()) {
            return;
        }
        synchronized (lock) {
            for (Batch b : batches) {
                history.addLast(b);
                eventCount += b.events().size();
                lastPublished = b.revision();
            }
            while (eventCount > maxEvents && !history.isEmpty()) {
                Batch old = history.removeFirst();
                eventCount -= old.events().size();
                firstKept = old.revision() + 1;
            }
            List<Watcher> targets = watchers;
            if (!targets.isEmpty() && !closed) {
                submit(() -> {
                    for (Batch b : batches) {
                        for (Watcher w : targets) {
                            w.deliver(b);
                        }
                    }
                });
            }
        }
    }

    Store.Watch register(String prefix, long fromRevision, Store.WatchListener listener) {
        synchronized (lock) {
            if (closed) {
                Watcher dead = new Watcher(prefix, Long.MAX_VALUE, listener);
                submitOrRun(() -> dead.fail(new StoreException("store is closed")));
                return dead;
            }
            // etcd treats 0 as "from now on"
            long from = fromRevision <= 0 ? lastPublished + 1 : fromRevision;
            Watcher w = new Watcher(prefix, from, listener);
            if (from < firstKept) {
                CompactedException error = new CompactedException(from, firstKept);
                submit(() -> w.fail(error));
                return w;
            }
            List<Batch> replay = new ArrayList<>();
            for (Batch b : history) {
                if (b.revision() >= from) {
                    replay.add(b);
                }
            }
            List<Watcher> next = new ArrayList<>(watchers);
            next.add(w);
            watchers = List.copyOf(next);
            if (!replay.isEmpty()) {
                submit(() -> replay.forEach(w::deliver));
            }
            return w;
        }
    }

    /** Delivers what is already queued, then ends every watch with an error saying the store closed. */
    void close() {
        List<Watcher> last;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            last = watchers;
            watchers = List.of();
        }
        submitOrRun(() -> last.forEach(w -> w.fail(new StoreException("store is closed"))));
        delivery.shutdown();
        try {
            if (!delivery.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("watch delivery did not finish within 5 s of close; abandoning queued events");
                delivery.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            delivery.shutdownNow();
        }
    }

    private void remove(Watcher w) {
        synchronized (lock) {
            if (watchers.contains(w)) {
                List<Watcher> next = new ArrayList<>(watchers);
                next.remove(w);
                watchers = List.copyOf(next);
            }
        }
    }

    private void submit(Runnable task) {
        delivery.execute(task);
    }

    private void submitOrRun(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** One registered watch; all its methods except close run on the delivery thread. */
    private final class Watcher implements Store.Watch {
        private final String prefix;
        private final long from;
        private final Store.WatchListener listener;
        private volatile boolean done;

        Watcher(String prefix, long from, Store.WatchListener listener) {
            this.prefix = prefix;
            this.from = from;
            this.listener = listener;
        }

        void deliver(Batch b) {
            if (done || b.revision() < from) {
                return;
            }
            List<WatchEvent> matching = b.events().stream().filter(e -> e.kv().key().startsWith(prefix)).toList();
            if (matching.isEmpty()) {
                return;
            }
            try {
                listener.onEvents(b.revision(), matching);
            } catch (RuntimeException e) {
                // the listener may have lost this batch; ending the watch is safer than a silent gap
                log.warn("watch listener on prefix '{}' threw at revision {}; cancelling the watch", prefix, b.revision(), e);
                fail(e);
            }
        }

        void fail(Throwable error) {
            if (done) {
                return;
            }
            done = true;
            remove(this);
            try {
                listener.onError(error);
            } catch (RuntimeException e) {
                log.warn("watch listener on prefix '{}' threw from onError", prefix, e);
            }
        }

        @Override
        public void close() {
            done = true;
            remove(this);
        }
    }
}
