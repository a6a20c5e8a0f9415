package dev.weft.controlplane.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A user transaction: compares, then puts and deletes at one revision. */
final class TxnWrite implements WriteRequest {
    private static final byte[] EMPTY = new byte[0];

    private final Txn txn;
    private final CompletableFuture<TxnResult> future;

    TxnWrite(Txn txn, CompletableFuture<TxnResult> future) {
        this.txn = txn;
        this.future = future;
    }

    @Override
    public Applied apply(KvSql sql, long revision) throws SQLException {
        for (Txn.Compare cmp : txn.compares()) {
            long[] current = sql.revisions(cmp.key());
            long mod = current == null ? 0 : current[0];
            if (mod != cmp.expectedModRevision()) {
                return new Applied(List.of(), () -> future.complete(new TxnResult(false, revision - 1)));
            }
        }
        List<WatchEvent> events = new ArrayList<>();
        for (Txn.Op op : txn.ops()) {
            if (op instanceof Txn.Put put) {
                events.add(put(sql, put, revision));
            } else if (op instanceof Txn.Delete del) {
                if (sql.delete(del.key())) {
                    events.add(deleted(del.key(), revision));
                }
            } else if (op instanceof Txn.DeletePrefix dp) {
                for (String key : sql.keys(dp.prefix())) {
                    events.add(deleted(key, revision));
                }
                sql.deleteRange(dp.prefix());
            }
        }
        // etcd: a transaction that changed nothing does not create a revision
        long result = events.isEmpty() ? revision - 1 : revision;
        if (!events.isEmpty()) {
            sql.setRevision(revision);
        }
        return new Applied(List.copyOf(events), () -> future.complete(new TxnResult(true, result)));
    }

    @Override
    public void fail(Throwable error) {
        future.completeExceptionally(error);
    }

    private static WatchEvent put(KvSql sql, Txn.Put put, long revision) throws SQLException {
        if (put.lease() != 0 && !sql.leaseExists(put.lease())) {
            throw new StoreException("lease " + put.lease() + " not found");
        }
        long[] current = sql.revisions(put.key());
        KeyValue kv;
        if (current == null) {
            sql.insert(put.key(), put.value(), revision, put.lease());
            kv = new KeyValue(put.key(), put.value(), revision, revision, 1, put.lease());
        } else {
            sql.update(put.key(), put.value(), revision, put.lease());
            kv = new KeyValue(put.key(), put.value(), current[1], revision, current[2] + 1, put.lease());
        }
        return new WatchEvent(WatchEvent.Type.PUT, kv);
    }

    static WatchEvent deleted(String key, long revision) {
        return new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, EMPTY, 0, revision, 0, 0));
    }
}
