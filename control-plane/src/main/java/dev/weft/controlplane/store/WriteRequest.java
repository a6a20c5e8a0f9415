package dev.weft.controlplane.store;

import java.sql.SQLException;
import java.util.List;

/** One unit of work for the writer thread, applied inside the batch's SQLite transaction. */
interface WriteRequest {

    /**
     * Applies the request. {@code revision} is the revision it gets if it changes any key, which it
     * reports by returning events; a request returning no events must not change kv or meta.
     * Throwing {@link StoreException} or {@link IllegalArgumentException} rolls this request back
     * alone and fails it.
     */
    Applied apply(KvSql sql, long revision) throws SQLException;

    /** Completes the caller's future exceptionally. */
    void fail(Throwable error);

    /** What a request did, and how to tell its caller once the batch is durable. */
    record Applied(List<WatchEvent> events, Runnable onDurable) {}
}
