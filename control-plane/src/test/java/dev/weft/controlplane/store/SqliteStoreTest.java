package dev.weft.controlplane.store;

import static dev.weft.controlplane.store.Stores.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    @TempDir
    Path tmp;

    private Path dir;
    private SqliteStore store;

    @BeforeEach
    void open() {
        dir = tmp.resolve("data");
        store = Stores.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void emptyStoreIsAtRevisionOneAndEachChangingTxnAddsOne() {
        assertThat(store.currentRevision()).isEqualTo(1);
        assertThat(store.range("").join()).isEqualTo(new RangeResult(List.of(), 1));

        assertThat(store.commit(put("a", "1")).join()).isEqualTo(new TxnResult(true, 2));
        assertThat(store.commit(Txn.builder().put("b", "1").put("c", "1").build()).join()).isEqualTo(new TxnResult(true, 3));
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(store.range("").join().revision()).isEqualTo(3);
    }

    @Test
    void txnThatChangesNothingKeepsTheRevision() {
        store.commit(put("a", "1")).join();

        assertThat(store.commit(Txn.builder().delete("missing").deletePrefix("nothing/").build()).join())
                .isEqualTo(new TxnResult(true, 2));
        assertThat(store.commit(Txn.builder().build()).join()).isEqualTo(new TxnResult(true, 2));
        assertThat(store.currentRevision()).isEqualTo(2);
    }

    @Test
    void createRevisionModRevisionAndVersionFollowEtcd() {
        store.commit(put("k", "v1")).join();
        store.commit(put("other", "x")).join();
        store.commit(put("k", "v2")).join();

        KeyValue kv = store.get("k").join().orElseThrow();
        assertThat(kv.valueUtf8()).isEqualTo("v2");
        assertThat(kv.createRevision()).isEqualTo(2);
        assertThat(kv.modRevision()).isEqualTo(4);
        assertThat(kv.version()).isEqualTo(2);
        assertThat(kv.lease()).isZero();

        store.commit(Txn.builder().delete("k").build()).join();
        assertThat(store.get("k").join()).isEmpty();
        store.commit(put("k", "v3")).join();
        KeyValue again = store.get("k").join().orElseThrow();
        assertThat(again.createRevision()).isEqualTo(6);
        assertThat(again.version()).isEqualTo(1);
    }

    @Test
    void comparesGateTheOps() {
        store.commit(put("k", "v1")).join();

        TxnResult ok = store.commit(Txn.builder().ifModRevision("k", 2).ifAbsent("new").put("k", "v2").put("new", "n").build()).join();
        assertThat(ok).isEqualTo(new TxnResult(true, 3));

        TxnResult stale = store.commit(Txn.builder().ifModRevision("k", 2).put("k", "lost").build()).join();
        assertThat(stale).isEqualTo(new TxnResult(false, 3));
        TxnResult notAbsent = store.commit(Txn.builder().ifAbsent("new").put("x", "lost").build()).join();
        assertThat(notAbsent.succeeded()).isFalse();

        assertThat(store.get("k").join().orElseThrow().valueUtf8()).isEqualTo("v2");
        assertThat(store.get("x").join()).isEmpty();
        // a failed compare does not consume a revision
        assertThat(store.commit(put("y", "1")).join().revision()).isEqualTo(4);
    }

    @Test
    void failingOpRollsBackTheWholeTxn() {
        store.commit(put("a", "old")).join();

        Txn txn = Txn.builder().put("a", "new").delete("a0").put("c", Stores.utf8("3"), 999).put("d", "4").deletePrefix("").build();
        assertThatThrownBy(() -> store.commit(txn).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(StoreException.class).hasMessage("lease 999 not found");

        assertThat(store.get("a").join().orElseThrow().valueUtf8()).isEqualTo("old");
        assertThat(store.range("").join().kvs()).hasSize(1);
        assertThat(store.currentRevision()).isEqualTo(2);
        // the next txn gets the next revision: the failed one consumed none
        assertThat(store.commit(put("b", "1")).join().revision()).isEqualTo(3);
    }

    @Test
    void badInputFailsTheFutureWithAClearMessage() {
        assertThatThrownBy(() -> store.commit(Txn.builder().delete("").build()).join())
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delete key must be a non-empty string");
        assertThatThrownBy(() -> store.commit(Txn.builder().ifAbsent("").put("a", "1").build()).join())
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compare key");
        assertThatThrownBy(() -> store.commit(Txn.builder().put("a", "1").put("a", "2").build()).join())
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("written twice");
        assertThatThrownBy(() -> store.commit(null).join()).cause().isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get("").join()).cause().isInstanceOf(IllegalArgumentException.class);
        // the records themselves refuse an empty key or a null value
        assertThatThrownBy(() -> Txn.builder().put("", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Txn.builder().put("k", (byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThat(store.currentRevision()).isEqualTo(1);
    }

    @Test
    void rangeReturnsPrefixInKeyOrder() {
        for (String k : List.of("svc/b", "svc/a/2", "svc/a/1", "svc", "svd/x", "sv", "svc/\uD83D\uDE00", "svc/\uFFFF", "svc\u00e9")) {
            store.commit(put(k, k)).join();
        }
        List<String> keys = store.range("svc/").join().kvs().stream().map(KeyValue::key).toList();
        // UTF-8 byte order: U+FFFF sorts before the supplementary U+1F600
        assertThat(keys).containsExactly("svc/a/1", "svc/a/2", "svc/b", "svc/\uFFFF", "svc/\uD83D\uDE00");
        assertThat(store.range("svc").join().kvs()).hasSize(7);
        assertThat(store.range("").join().kvs()).hasSize(9);
        assertThat(store.range("nothing").join().kvs()).isEmpty();
        assertThat(store.range("svc/a/1").join().kvs().get(0).valueUtf8()).isEqualTo("svc/a/1");
    }

    @Test
    void deletePrefixRemovesOnlyThePrefixAtOneRevision() {
        store.commit(Txn.builder().put("p/1", "a").put("p/2", "b").put("q/1", "c").put("p", "d").build()).join();

        TxnResult r = store.commit(Txn.builder().deletePrefix("p/").build()).join();

        assertThat(r).isEqualTo(new TxnResult(true, 3));
        assertThat(store.range("").join().kvs()).extracting(KeyValue::key).containsExactly("p", "q/1");
    }

    @Test
    void emptyValuesRoundTrip() {
        store.commit(Txn.builder().put("empty", new byte[0]).build()).join();
        assertThat(store.get("empty").join().orElseThrow().value()).isEmpty();
    }

    @Test
    void reopenKeepsKeysRevisionAndMetadata() {
        store.commit(put("a", "1")).join();
        store.commit(put("a", "2")).join();
        store.commit(Txn.builder().put("b", "x").delete("nope").build()).join();
        store.close();

        store = Stores.open(dir);
        assertThat(store.currentRevision()).isEqualTo(4);
        KeyValue a = store.get("a").join().orElseThrow();
        assertThat(a).extracting(KeyValue::createRevision, KeyValue::modRevision, KeyValue::version).containsExactly(2L, 3L, 2L);
        assertThat(store.commit(put("c", "1")).join().revision()).isEqualTo(5);
    }

    @Test
    void commitsAfterCloseFail() {
        store.close();
        assertThatThrownBy(() -> store.commit(put("a", "1")).join())
                .cause().isInstanceOf(StoreException.class).hasMessage("store is closed");
        assertThatThrownBy(() -> store.get("a").join()).cause().isInstanceOf(StoreException.class);
    }

    @Test
    void closeCompletesPendingCommits() {
        var futures = java.util.stream.IntStream.range(0, 500).mapToObj(i -> store.commit(put("k" + i, "v"))).toList();
        store.close();
        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
        store = Stores.open(dir);
        assertThat(store.currentRevision()).isEqualTo(501);
    }

    @Test
    void filesAre0600InA0700Dir() throws Exception {
        store.commit(put("a", "1")).join();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        for (String name : List.of("weft.db", "weft.db-wal", "weft.db-shm", "LOCK")) {
            Path f = dir.resolve(name);
            assertThat(f).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(name).isEqualTo("rw-------");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).allSatisfy(f ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------"));
        }
    }

    @Test
    void widerPermissionsOfAnExistingDirAreTightenedOnOpen() throws Exception {
        store.close();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("weft.db"), PosixFilePermissions.fromString("rw-r--r--"));

        store = Stores.open(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("weft.db")))).isEqualTo("rw-------");
    }

    @Test
    void secondOpenOfTheSameDirIsRefused() {
        assertThatThrownBy(() -> Stores.open(dir)).isInstanceOf(StoreException.class).hasMessageContaining(dir.toString());
    }

    @Test
    void dataDirThatIsAFileIsReportedWithItsPath() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThatThrownBy(() -> Stores.open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a directory");
        Path under = file.resolve("sub");
        assertThatThrownBy(() -> Stores.open(under)).isInstanceOf(StoreException.class).hasMessageContaining(under.toString());
    }

    @Test
    void fileThatIsNotSqliteIsReportedWithItsPath() throws Exception {
        Path other = tmp.resolve("garbage");
        Files.createDirectories(other);
        Files.write(other.resolve("weft.db"), new byte[8192]);
        Files.write(other.resolve("weft.db"), "this is not a database, just text. ".repeat(200).getBytes());

        assertThatThrownBy(() -> Stores.open(other)).isInstanceOf(StoreException.class)
                .hasMessageContaining(other.resolve("weft.db").toString());
        // the failed open released the directory lock
        Files.delete(other.resolve("weft.db"));
        Stores.open(other).close();
    }

    @Test
    void newerSchemaIsRefused() throws Exception {
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("weft.db"));
             var s = c.createStatement()) {
            s.execute("UPDATE meta SET value = 99 WHERE name = 'schema_version'");
        }
        assertThatThrownBy(() -> Stores.open(dir)).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining(dir.resolve("weft.db").toString());
        store = Stores.open(tmp.resolve("fresh"));
    }
}
