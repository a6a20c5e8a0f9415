package dev.weft.controlplane.store;

import static dev.weft.controlplane.store.Stores.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreWatchTest {
    @TempDir
    Path dir;

    private SqliteStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void replaysHistoryThenStreamsLiveChangesUnderThePrefix() {
        store = Stores.open(dir);
        store.commit(put("svc/a", "1")).join();                                   // 2
        store.commit(put("other", "x")).join();                                   // 3
        store.commit(Txn.builder().put("svc/b", "1").put("svc/c", "1").build()).join(); // 4

        RecordingListener l = new RecordingListener();
        store.watch("svc/", 2, l);
        store.commit(Txn.builder().delete("svc/a").put("other", "y").build()).join(); // 5

        await().atMost(Duration.ofSeconds(5)).until(() -> l.lastRevision() == 5);
        assertThat(l.revisions()).containsExactly(2L, 4L, 5L);
        assertThat(l.deliveries.get(1).events()).extracting(e -> e.kv().key()).containsExactly("svc/b", "svc/c");
        WatchEvent delete = l.deliveries.get(2).events().get(0);
        assertThat(delete.type()).isEqualTo(WatchEvent.Type.DELETE);
        assertThat(delete.kv().key()).isEqualTo("svc/a");
        assertThat(delete.kv().modRevision()).isEqualTo(5);
        assertThat(delete.kv().value()).isEmpty();
        assertThat(l.deliveries.get(0).events().get(0).kv())
                .extracting(KeyValue::createRevision, KeyValue::modRevision, KeyValue::version).containsExactly(2L, 2L, 1L);
        assertThat(l.errors).isEmpty();
    }

    @Test
    void noGapsOrDuplicatesWhileSeveralThreadsCommitAndWatchesRegister() throws Exception {
        store = Stores.open(dir);
        int threads = 4;
        int perThread = 2_000;
        long last = 1 + (long) threads * perThread;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<RecordingListener> listeners = new ArrayList<>();
        try {
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(CompletableFuture.runAsync(() -> {
                    // a window of in-flight commits per thread keeps group commit busy
                    Semaphore window = new Semaphore(32);
                    List<CompletableFuture<TxnResult>> all = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        window.acquireUninterruptibly();
                        all.add(store.commit(put("k/" + id + "/" + i, "v")).whenComplete((r, e) -> window.release()));
                    }
                    all.forEach(CompletableFuture::join);
                }, pool));
            }
            // register watches from points in the past while the writers run
            while (store.currentRevision() < last) {
                long from = Math.max(2, store.currentRevision() - 50);
                RecordingListener l = new RecordingListener();
                store.watch("k/", from, l);
                listeners.add(l);
                if (listeners.size() >= 40) {
                    break;
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> store.currentRevision() >= from + 150 || store.currentRevision() >= last);
            }
            writers.forEach(CompletableFuture::join);
        } finally {
            pool.shutdown();
        }
        assertThat(store.currentRevision()).isEqualTo(last);
        assertThat(listeners).hasSizeGreaterThan(1);
        for (RecordingListener l : listeners) {
            await().atMost(Duration.ofSeconds(10)).until(() -> l.lastRevision() == last);
            long first = l.revisions().get(0);
            assertThat(l.revisions()).containsExactlyElementsOf(LongStream.rangeClosed(first, last).boxed().toList());
            assertThat(l.errors).isEmpty();
        }
    }

    @Test
    void watchFromRevisionOlderThanHistoryIsCompacted() {
        store = SqliteStore.open(new SqliteStore.Options(dir, new TestClock(), 10, Duration.ZERO, 1_000, 1));
        for (int i = 0; i < 20; i++) {
            store.commit(put("k" + i, "v")).join();
        }
        RecordingListener old = new RecordingListener();
        store.watch("", 5, old);
        await().atMost(Duration.ofSeconds(5)).until(() -> !old.errors.isEmpty());
        assertThat(old.errors.get(0)).isInstanceOf(CompactedException.class);
        assertThat(((CompactedException) old.errors.get(0)).compactRevision()).isEqualTo(12);

        RecordingListener kept = new RecordingListener();
        store.watch("", 12, kept);
        await().atMost(Duration.ofSeconds(5)).until(() -> kept.lastRevision() == 21);
        assertThat(kept.revisions()).hasSize(10);
    }

    @Test
    void afterRestartHistoryStartsAtTheCurrentRevision() {
        store = Stores.open(dir);
        store.commit(put("a", "1")).join();
        store.commit(put("a", "2")).join();
        store.close();

        store = Stores.open(dir);
        RecordingListener tooOld = new RecordingListener();
        store.watch("", 3, tooOld);
        RecordingListener next = new RecordingListener();
        store.watch("", 4, next);
        store.commit(put("a", "3")).join();

        await().atMost(Duration.ofSeconds(5)).until(() -> !tooOld.errors.isEmpty() && next.lastRevision() == 4);
        assertThat(tooOld.errors.get(0)).isInstanceOf(CompactedException.class);
        assertThat(next.errors).isEmpty();
    }

    @Test
    void watchFromAFutureRevisionWaitsForIt() {
        store = Stores.open(dir);
        RecordingListener l = new RecordingListener();
        store.watch("", 4, l);
        RecordingListener all = new RecordingListener();
        store.watch("", 0, all);
        for (int i = 0; i < 4; i++) {
            store.commit(put("k" + i, "v")).join();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> l.lastRevision() == 5 && all.lastRevision() == 5);
        assertThat(l.revisions()).containsExactly(4L, 5L);
        assertThat(all.revisions()).containsExactly(2L, 3L, 4L, 5L);
    }

    @Test
    void closedWatchGetsNothingMore() {
        store = Stores.open(dir);
        RecordingListener closed = new RecordingListener();
        Store.Watch w = store.watch("", 0, closed);
        RecordingListener marker = new RecordingListener();
        store.watch("", 0, marker);
        store.commit(put("a", "1")).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.lastRevision() == 2);

        w.close();
        store.commit(put("a", "2")).join();
        store.commit(put("a", "3")).join();

        // one delivery thread, in order: once the marker has revision 4, the closed watch would have had it too
        await().atMost(Duration.ofSeconds(5)).until(() -> marker.lastRevision() == 4);
        assertThat(closed.revisions()).containsExactly(2L);
    }

    @Test
    void closingTheStoreEndsWatchesWithAnError() {
        store = Stores.open(dir);
        RecordingListener l = new RecordingListener();
        store.watch("", 0, l);
        store.commit(put("a", "1")).join();
        store.close();

        assertThat(l.revisions()).containsExactly(2L);
        assertThat(l.errors).singleElement().isInstanceOf(StoreException.class);
        RecordingListener late = new RecordingListener();
        store.watch("", 0, late);
        await().atMost(Duration.ofSeconds(5)).until(() -> !late.errors.isEmpty());
        store = null;
    }

    @Test
    void throwingListenerIsCancelledWithItsError() {
        store = Stores.open(dir);
        RecordingListener errors = new RecordingListener();
        store.watch("", 0, new Store.WatchListener() {
            @Override
            public void onEvents(long revision, List<WatchEvent> events) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onError(Throwable error) {
                errors.onError(error);
            }
        });
        store.commit(put("a", "1")).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> !errors.errors.isEmpty());
        assertThat(errors.errors.get(0)).hasMessage("boom");
    }
}
