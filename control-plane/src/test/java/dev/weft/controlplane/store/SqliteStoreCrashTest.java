package dev.weft.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a process in the middle of committing loses nothing it acknowledged. */
class SqliteStoreCrashTest {
    private static final int ACKS_BEFORE_KILL = 3_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path data = tmp.resolve("data");
        Path childLog = tmp.resolve("child.log");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"),
                        CrashWriterMain.class.getName(), data.toString(), "8")
                .redirectError(childLog.toFile())
                .start();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> readAcks(child, acked), "crash-test-reader");
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(45))
                    .failFast("child exited: " + childLog, () -> !child.isAlive())
                    .until(() -> acked.size() >= ACKS_BEFORE_KILL);
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        // acks already in the pipe when the child died count too
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (SqliteStore store = Stores.open(data)) {
            List<KeyValue> kvs = store.range("crash/").join().kvs();
            Set<String> stored = ConcurrentHashMap.newKeySet();
            for (KeyValue kv : kvs) {
                assertThat(CrashWriterMain.intact(kv.key(), kv.value())).as("value of %s is complete", kv.key()).isTrue();
                stored.add(kv.key());
            }
            assertThat(stored).containsAll(acked);
            // every commit created one new key, so the revision counts exactly the keys on disk
            assertThat(store.currentRevision()).isEqualTo(1L + kvs.size()).isGreaterThanOrEqualTo(1L + acked.size());
            assertThat(kvs.stream().map(KeyValue::modRevision).distinct().count()).isEqualTo(kvs.size());
            System.out.printf("crash test: %d acknowledged, %d on disk after SIGKILL, revision %d%n",
                    acked.size(), kvs.size(), store.currentRevision());
        }
        assertThat(Files.readString(childLog)).doesNotContain("ERROR");
    }

    private static void readAcks(Process child, Set<String> acked) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
            }
        } catch (java.io.IOException e) {
            // the pipe breaks when the child dies; what was read is what was acknowledged
        }
    }
}
