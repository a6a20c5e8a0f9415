package dev.weft.controlplane.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves reads from SQLite on a few reader threads, each owning its own connection. Each read is
 * one deferred transaction, so it sees one WAL snapshot: committed data only, and a range's keys
 * and revision from the same instant. Callers' threads (event loops) never touch SQLite.
 */
final class StoreReader {
    interface Query<T> {
        T run(KvSql sql) throws SQLException;
    }

    private final Path db;
    private final ExecutorService pool;
    private final List<KvSql> opened = new CopyOnWriteArrayList<>();
    private final ThreadLocal<KvSql> connection = new ThreadLocal<>();

    StoreReader(Path db, int threads) {
        this.db = db;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "weft-store-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    <T> CompletableFuture<T> read(Query<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    result.complete(inSnapshot(query));
                } catch (SQLException e) {
                    result.completeExceptionally(new StoreException("read from " + db + " failed: " + e.getMessage(), e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreException("store is closed"));
        }
        return result;
    }

    void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (KvSql sql : opened) {
            try {
                sql.close();
            } catch (SQLException ignored) {
                // closing: nothing useful to do with it
            }
        }
    }

    private <T> T inSnapshot(Query<T> query) throws SQLException {
        KvSql sql = connection();
        try (Statement s = sql.connection().createStatement()) {
            s.execute("BEGIN");
            try {
                return query.run(sql);
            } finally {
                s.execute("COMMIT");
            }
        }
    }

    private KvSql connection() throws SQLException {
        KvSql sql = connection.get();
        if (sql == null) {
            sql = new KvSql(Schema.openReader(db));
            opened.add(sql);
            connection.set(sql);
        }
        return sql;
    }
}
