package dev.weft.controlplane.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Test helpers for opening stores and building small transactions. */
final class Stores {
    private Stores() {}

    /** A store whose leases expire only when the test calls expireLeases(). */
    static SqliteStore open(Path dir, Clock clock) {
        return SqliteStore.open(new SqliteStore.Options(dir, clock, 100_000, Duration.ZERO, 1_000, 2));
    }

    static SqliteStore open(Path dir) {
        return open(dir, new TestClock());
    }

    static Txn put(String key, String value) {
        return Txn.builder().put(key, value).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
