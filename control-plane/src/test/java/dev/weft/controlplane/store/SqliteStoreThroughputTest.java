package dev.weft.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sanity print of group-commit throughput, not a benchmark: figures belong in bench/. */
class SqliteStoreThroughputTest {
    @TempDir
    Path dir;

    @Test
    void printsSinglePutThroughputFrom16Callers() {
        int callers = 16;
        int total = 20_000;
        try (SqliteStore store = Stores.open(dir)) {
            long writeNanos = run(callers, total, (c, i) -> store.commit(Stores.put("tp/" + c + "/" + i, "value-" + i)).join());
            assertThat(store.currentRevision()).isEqualTo(1L + total);
            long readNanos = run(callers, total, (c, i) -> store.get("tp/" + c + "/" + i).join().orElseThrow());
            System.out.printf("store throughput: %d single-put txns from %d callers: %.0f commits/s; %d gets: %.0f gets/s%n",
                    total, callers, total / (writeNanos / 1e9), total, total / (readNanos / 1e9));
        }
    }

    @Test
    void writeConnectionIsWalWithFullSync() throws Exception {
        Stores.open(dir).close();
        try (var c = Schema.openWriter(dir.resolve("weft.db")); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("2 = FULL").isEqualTo(2);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
        }
    }

    private interface Call {
        void run(int caller, int i);
    }

    private static long run(int callers, int total, Call call) {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < total / callers; i++) {
                        call.run(caller, i);
                    }
                }, pool));
            }
            all.forEach(CompletableFuture::join);
            return System.nanoTime() - start;
        } finally {
            pool.shutdown();
        }
    }
}
