package dev.weft.controlplane.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * Child process of the crash test: commits from several threads as fast as it can and prints
 * {@code ACK <key>} once each commit is acknowledged, until it is killed.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {}

    public static void main(String[] args) {
        SqliteStore store = SqliteStore.open(Path.of(args[0]), Clock.systemUTC());
        int threads = Integer.parseInt(args[1]);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String key = "crash/" + id + "/" + i;
                    store.commit(Txn.builder().put(key, value(key)).build()).join();
                    synchronized (System.out) {
                        System.out.println("ACK " + key);
                        System.out.flush();
                    }
                }
            }, "crash-writer-" + t);
            thread.start();
        }
    }

    /** {@code key|payload|crc32(key|payload)}: a torn or misplaced value fails the check. */
    static byte[] value(String key) {
        int n = ThreadLocalRandom.current().nextInt(16, 2048);
        StringBuilder payload = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            payload.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        String body = key + "|" + payload;
        return (body + "|" + crc(body)).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code value} is a complete value written for {@code key}. */
    static boolean intact(String key, byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        int bar = s.lastIndexOf('|');
        if (bar < 0) {
            return false;
        }
        String body = s.substring(0, bar);
        return body.startsWith(key + "|") && s.substring(bar + 1).equals(crc(body));
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
