package dev.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private SqliteStore store;
    private Registry registry;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir, clock);
        registry = Registry.open(store, clock, Duration.ZERO);
    }

    @AfterEach
    void close() {
        registry.close();
        store.close();
    }

    private void restart() {
        registry.close();
        store.close();
        open();
    }

    static Instance instance(String service, String id, int port, String... tags) {
        return new Instance(service, id, "127.0.0.1", port, 0, List.of(tags), Map.of(), "", 1);
    }

    static CheckSpec ttl(String id, Duration ttl, HealthStatus initial) {
        return new CheckSpec(id, null, CheckType.TTL, ttl, null, null, null, null, Duration.ZERO, initial);
    }

    private long await(CompletableFuture<Long> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void registrationIsVisibleOnceAcknowledged() throws Exception {
        long index = await(registry.register(new Registration(instance("catalog", "c1", 8080, "v1"), List.of())));

        assertThat(index).isPositive();
        assertThat(registry.index()).isEqualTo(index);
        ServiceEntry s = registry.service("catalog").orElseThrow();
        assertThat(s.instances()).extracting(e -> e.instance().id()).containsExactly("c1");
        assertThat(s.healthy()).hasSize(1);
        assertThat(s.modifyIndex()).isEqualTo(index);
        assertThat(registry.serviceIndex("catalog")).isEqualTo(index);
        assertThat(registry.services()).extracting(ServiceEntry::name).containsExactly("catalog");
    }

    @Test
    void ttlCheckGoesCriticalWhenSilentAndPassingWhenReported() throws Exception {
        await(registry.register(new Registration(instance("catalog", "c1", 8080),
                List.of(ttl("c1-ttl", Duration.ofSeconds(10), HealthStatus.CRITICAL)))));
        assertThat(registry.service("catalog").orElseThrow().healthy()).isEmpty();

        long passed = await(registry.reportTtl("c1-ttl", HealthStatus.PASSING, "ok"));
        assertThat(registry.service("catalog").orElseThrow().healthy()).hasSize(1);

        // A heartbeat that changes nothing is not a change: no new index.
        clock.advance(Duration.ofSeconds(8));
        assertThat(await(registry.reportTtl("c1-ttl", HealthStatus.PASSING, "ok"))).isEqualTo(passed);
        clock.advance(Duration.ofSeconds(8));
        registry.tick().get(5, TimeUnit.SECONDS);
        awaitIndexAbove(passed - 1);
        assertThat(registry.service("catalog").orElseThrow().instances().get(0).status()).isEqualTo(HealthStatus.PASSING);

        clock.advance(Duration.ofSeconds(3));
        registry.tick().get(5, TimeUnit.SECONDS);
        awaitIndexAbove(passed);
        InstanceEntry e = registry.service("catalog").orElseThrow().instances().get(0);
        assertThat(e.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(e.checks().get(0).output()).contains("TTL expired");
    }

    @Test
    void restartRestoresStatusAndGivesTtlChecksAFreshWindow() throws Exception {
        await(registry.register(new Registration(instance("catalog", "c1", 8080),
                List.of(ttl("c1-ttl", Duration.ofSeconds(10), HealthStatus.CRITICAL)))));
        await(registry.reportTtl("c1-ttl", HealthStatus.PASSING, "ok"));
        long before = registry.index();
        // The control plane is down for longer than the TTL.
        clock.advance(Duration.ofMinutes(5));
        restart();

        assertThat(registry.index()).isGreaterThanOrEqualTo(before);
        assertThat(registry.service("catalog").orElseThrow().healthy()).hasSize(1);
        clock.advance(Duration.ofSeconds(9));
        registry.tick().get(5, TimeUnit.SECONDS);
        assertThat(registry.service("catalog").orElseThrow().healthy()).hasSize(1);
        clock.advance(Duration.ofSeconds(2));
        registry.tick().get(5, TimeUnit.SECONDS);
        awaitIndexAbove(before);
        assertThat(registry.service("catalog").orElseThrow().healthy()).isEmpty();
    }

    @Test
    void deregisterCriticalAfterRemovesTheInstance() throws Exception {
        CheckSpec check = new CheckSpec("c1-ttl", null, CheckType.TTL, Duration.ofSeconds(5), null, null, null, null,
                Duration.ofSeconds(30), HealthStatus.PASSING);
        await(registry.register(new Registration(instance("catalog", "c1", 8080), List.of(check))));
        clock.advance(Duration.ofSeconds(6));
        registry.tick().get(5, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(
                () -> registry.service("catalog").map(s -> s.healthy().isEmpty()).orElse(false));
        clock.advance(Duration.ofSeconds(29));
        registry.tick().get(5, TimeUnit.SECONDS);
        assertThat(registry.service("catalog")).isPresent();
        clock.advance(Duration.ofSeconds(2));
        registry.tick().get(5, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> registry.service("catalog").isEmpty());
        restart();
        assertThat(registry.service("catalog")).isEmpty();
    }

    @Test
    void reRegistrationKeepsKnownCheckStatus() throws Exception {
        Registration reg = new Registration(instance("catalog", "c1", 8080),
                List.of(ttl("c1-ttl", Duration.ofSeconds(10), HealthStatus.CRITICAL)));
        await(registry.register(reg));
        await(registry.reportTtl("c1-ttl", HealthStatus.PASSING, "ok"));
        await(registry.register(reg));
        assertThat(registry.service("catalog").orElseThrow().healthy()).hasSize(1);
    }

    @Test
    void moveBetweenServicesAndDeregister() throws Exception {
        await(registry.register(new Registration(instance("catalog", "x1", 8080), List.of())));
        await(registry.register(new Registration(instance("ratings", "x1", 8080), List.of())));
        assertThat(registry.service("catalog")).isEmpty();
        assertThat(registry.service("ratings")).isPresent();
        long deleted = await(registry.deregister("x1"));
        assertThat(registry.service("ratings")).isEmpty();
        assertThat(registry.serviceIndex("ratings")).isEqualTo(deleted);

        // The index of a service whose last instance is gone must not go backwards across a restart.
        restart();
        assertThat(registry.serviceIndex("ratings")).isGreaterThanOrEqualTo(deleted);
        assertThat(registry.services()).isEmpty();
    }

    @Test
    void errorsLeaveStateUntouched() throws Exception {
        await(registry.register(new Registration(instance("catalog", "c1", 8080),
                List.of(ttl("shared", Duration.ofSeconds(10), HealthStatus.PASSING)))));
        long index = registry.index();

        assertThatThrownBy(() -> await(registry.register(new Registration(instance("ratings", "r1", 8081),
                List.of(ttl("shared", Duration.ofSeconds(10), HealthStatus.PASSING))))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ConflictException.class)
                .hasMessageContaining("already belongs to instance 'c1'");
        assertThatThrownBy(() -> await(registry.deregister("nope")))
                .hasCauseInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> await(registry.reportTtl("nope", HealthStatus.PASSING, "")))
                .hasCauseInstanceOf(NotFoundException.class);

        assertThat(registry.index()).isEqualTo(index);
        assertThat(registry.service("ratings")).isEmpty();
        restart();
        assertThat(registry.service("ratings")).isEmpty();
        assertThat(registry.service("catalog")).isPresent();
    }

    @Test
    void blockingQueryWakesOnChangeAndTimesOutWithTheSameIndex() throws Exception {
        long index = await(registry.register(new Registration(instance("catalog", "c1", 8080), List.of())));
        CompletableFuture<Long> idle = registry.awaitService("catalog", index, Duration.ofMillis(200));
        assertThat(idle.get(5, TimeUnit.SECONDS)).isEqualTo(index);

        CompletableFuture<Long> waiting = registry.awaitService("catalog", index, Duration.ofMinutes(1));
        CompletableFuture<Long> other = registry.awaitService("ratings", registry.serviceIndex("ratings"), Duration.ofMinutes(1));
        assertThat(waiting).isNotDone();
        long changed = await(registry.register(new Registration(instance("catalog", "c2", 8081), List.of())));
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(changed);
        assertThat(other).isNotDone(); // a change elsewhere does not wake watchers of another service
        assertThat(registry.awaitCatalog(index, Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS)).isEqualTo(changed);
    }

    @Test
    void concurrentRegistrationsAreAllDurable() throws Exception {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            acks.add(registry.register(new Registration(instance("svc" + (i % 50), "i" + i, 1000 + i % 1000), List.of())));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(acks).allMatch(f -> f.join() > 0);
        restart();
        int total = registry.services().stream().mapToInt(s -> s.instances().size()).sum();
        assertThat(total).isEqualTo(2000);
    }

    private void awaitIndexAbove(long index) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> registry.index() > index || index < 0);
    }
}
