package dev.weft.controlplane.store;

import static dev.weft.controlplane.store.Stores.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreLeaseTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private SqliteStore store;

    @BeforeEach
    void open() {
        store = Stores.open(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void expiryDeletesEveryAttachedKeyAtOneRevision() {
        Store.Lease lease = store.grantLease(TTL).join();
        assertThat(lease.ttl()).isEqualTo(TTL);
        assertThat(store.currentRevision()).as("granting changes no key").isEqualTo(1);
        store.commit(Txn.builder().put("hb/1", utf8("a"), lease.id()).put("hb/2", utf8("b"), lease.id()).put("keep", "c").build()).join();
        assertThat(store.get("hb/1").join().orElseThrow().lease()).isEqualTo(lease.id());
        RecordingListener l = new RecordingListener();
        store.watch("", 3, l);

        clock.advance(TTL.minusMillis(1));
        store.expireLeases().join();
        assertThat(store.range("hb/").join().kvs()).hasSize(2);

        clock.advance(Duration.ofMillis(1));
        store.expireLeases().join();

        assertThat(store.range("").join().kvs()).extracting(KeyValue::key).containsExactly("keep");
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(store.keepAlive(lease.id())).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> l.lastRevision() == 3);
        assertThat(l.deliveries).singleElement().satisfies(d -> assertThat(d.events())
                .extracting(e -> e.type() + " " + e.kv().key()).containsExactly("DELETE hb/1", "DELETE hb/2"));
        assertThatThrownBy(() -> store.commit(Txn.builder().put("late", utf8("x"), lease.id()).build()).join())
                .cause().isInstanceOf(StoreException.class).hasMessage("lease " + lease.id() + " not found");
    }

    @Test
    void keepAliveExtendsTheWindow() {
        Store.Lease lease = store.grantLease(TTL).join();
        store.commit(Txn.builder().put("hb", utf8("a"), lease.id()).build()).join();

        clock.advance(Duration.ofSeconds(8));
        assertThat(store.keepAlive(lease.id())).isTrue();
        clock.advance(Duration.ofSeconds(8));
        store.expireLeases().join();
        assertThat(store.get("hb").join()).isPresent();

        clock.advance(Duration.ofSeconds(2));
        store.expireLeases().join();
        assertThat(store.get("hb").join()).isEmpty();
        assertThat(store.keepAlive(999)).isFalse();
    }

    @Test
    void revokeDeletesKeysAndUnknownLeaseFails() {
        Store.Lease lease = store.grantLease(TTL).join();
        Store.Lease empty = store.grantLease(TTL).join();
        store.commit(Txn.builder().put("a", utf8("a"), lease.id()).build()).join();

        store.revokeLease(lease.id()).join();
        assertThat(store.get("a").join()).isEmpty();
        assertThat(store.currentRevision()).isEqualTo(3);

        store.revokeLease(empty.id()).join();
        assertThat(store.currentRevision()).as("revoking a lease without keys changes nothing").isEqualTo(3);
        assertThatThrownBy(() -> store.revokeLease(lease.id()).join())
                .cause().isInstanceOf(StoreException.class).hasMessage("lease " + lease.id() + " not found");
    }

    @Test
    void reattachingAKeyToNoLeaseDetachesIt() {
        Store.Lease lease = store.grantLease(TTL).join();
        store.commit(Txn.builder().put("a", utf8("a"), lease.id()).build()).join();
        store.commit(Stores.put("a", "b")).join();

        store.revokeLease(lease.id()).join();
        assertThat(store.get("a").join()).isPresent();
    }

    @Test
    void restartGivesEveryLeaseAFreshFullWindow() {
        Store.Lease lease = store.grantLease(TTL).join();
        store.commit(Txn.builder().put("hb", utf8("a"), lease.id()).build()).join();
        clock.advance(Duration.ofSeconds(9));
        store.close();

        store = Stores.open(dir, clock);
        clock.advance(Duration.ofSeconds(9));
        store.expireLeases().join();
        assertThat(store.get("hb").join()).as("18 s after grant, 9 s after restart").isPresent();
        assertThat(store.keepAlive(lease.id())).isTrue();

        clock.advance(TTL);
        store.expireLeases().join();
        assertThat(store.get("hb").join()).isEmpty();
    }

    @Test
    void productionTimerExpiresLeasesOnItsOwn() {
        store.close();
        store = SqliteStore.open(new SqliteStore.Options(dir, clock, 1_000, Duration.ofMillis(20), 100, 1));
        Store.Lease lease = store.grantLease(TTL).join();
        store.commit(Txn.builder().put("hb", utf8("a"), lease.id()).build()).join();

        clock.advance(TTL);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.get("hb").join().isEmpty());
    }

    @Test
    void badTtlIsRefused() {
        assertThatThrownBy(() -> store.grantLease(Duration.ZERO).join()).cause().isInstanceOf(IllegalArgumentException.class);
    }
}
