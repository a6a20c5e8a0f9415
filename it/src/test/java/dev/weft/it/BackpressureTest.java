package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure end to end, as separate processes: a control plane, a streaming backend (in this
 * JVM) behind a `weft proxy` sidecar, and a client-side `weft proxy`, both sidecars with 32 MB of
 * direct memory and a 64 MB heap. 1 GiB goes up (client → client sidecar → server sidecar →
 * backend, digested as it arrives) and 1 GiB comes down (generated on the fly, read by a client
 * that stops reading for a few seconds midway). The sidecars must hold data back rather than
 * buffer it: they stay alive, the bytes arrive identical, and their memory stays flat.
 */
class BackpressureTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final List<String> SIDECAR_JVM = List.of("-XX:MaxDirectMemorySize=32m", "-Xmx64m");
    private static final Pattern METRIC = Pattern.compile("(?m)^(weft_netty_direct_memory_bytes|weft_jvm_direct_buffer_bytes) (\\S+)$");

    record Sample(long atMillis, String phase, String sidecar, long rssBytes, long nettyDirect, long jvmDirect) {
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void gigabytesFlowBothWaysThroughTwoSidecarsWithFlatMemory(@TempDir Path dir) throws Exception {
        StreamingBackend backend = new StreamingBackend();
        List<WeftProcess> procs = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dir.resolve("cp").toString(), "--http-port", "0",
                    "--dns-port", "0", "--xds-port", "0")).awaitReady();
            procs.add(cp);
            String token = Files.readString(dir.resolve("cp/admin-token")).trim();
            WeftProcess server = sidecar(cp, dir, token, "bulk", "bulk-1", backend.port());
            procs.add(server);
            WeftProcess client = sidecar(cp, dir, token, "bulkclient", "bulkclient-1", backend.port());
            procs.add(client);
            Map<String, WeftProcess> sidecars = Map.of("client", client, "server", server);

            HttpClient http = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", client.outboundPort())))
                    .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
            Awaitility.await("bulk reachable through both sidecars").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(URI.create("http://bulk/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

            // Warm-up: JIT, pools and buffers reach their working size before the baseline is taken.
            upload(http, backend, 64 * MIB, 1, false);
            download(http, backend, 64 * MIB, 2, false);
            Thread.sleep(1000);
            Map<String, Sample> baseline = new HashMap<>();
            for (var e : sidecars.entrySet()) {
                baseline.put(e.getKey(), sample(0, "baseline", e.getKey(), e.getValue()));
            }
            System.out.println("[backpressure] baseline after warm-up: " + baseline.values());

            List<Sample> samples = new CopyOnWriteArrayList<>();
            AtomicReference<String> phase = new AtomicReference<>("upload");
            long t0 = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> sidecars.forEach((name, p) -> {
                try {
                    samples.add(sample(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), phase.get(), name, p));
                } catch (RuntimeException e) {
                    System.out.println("[backpressure] sample of " + name + " failed: " + e);
                }
            }), 0, 500, TimeUnit.MILLISECONDS);

            long up0 = System.nanoTime();
            DownloadResult u = upload(http, backend, GIB, 42, true);
            double upSecs = (System.nanoTime() - up0) / 1e9;
            System.out.printf(Locale.ROOT, "[backpressure] upload 1 GiB: %.1f s including a %d ms pause of the backend, %.0f MiB/s overall%n",
                    upSecs, u.pauseMillis, 1024 / upSecs);
            System.out.printf(Locale.ROOT, "[backpressure] while the backend did not read: the client had handed %d MiB more than the backend read "
                    + "after 1.5 s of the pause, %d MiB 2 s later (%d KiB more)%n",
                    u.aheadEarly / MIB, u.aheadLate / MIB, (u.aheadLate - u.aheadEarly) / 1024);

            phase.set("download");
            long down0 = System.nanoTime();
            DownloadResult d = download(http, backend, GIB, 4242, true);
            double downSecs = (System.nanoTime() - down0) / 1e9;
            System.out.printf(Locale.ROOT, "[backpressure] download 1 GiB: %.1f s including a %d ms reading pause, %.0f MiB/s overall%n",
                    downSecs, d.pauseMillis, 1024 / downSecs);
            System.out.printf(Locale.ROOT, "[backpressure] while the client did not read: backend had sent %d MiB beyond what the client read "
                    + "after 1.5 s of the pause, %d MiB at its end (%d KiB more in the last %d ms)%n",
                    d.aheadEarly / MIB, d.aheadLate / MIB, (d.aheadLate - d.aheadEarly) / 1024, d.pauseMillis - 1500);
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);

            for (var e : sidecars.entrySet()) {
                String name = e.getKey();
                List<Sample> mine = samples.stream().filter(s -> s.sidecar().equals(name)).toList();
                System.out.println("[backpressure] samples of the " + name + " sidecar (ms, phase, RSS MiB, netty direct KiB, jvm direct KiB):");
                StringBuilder line = new StringBuilder();
                for (Sample s : mine) {
                    line.append(String.format(Locale.ROOT, " %d/%s/%.1f/%d/%d", s.atMillis(), s.phase().charAt(0), s.rssBytes() / (double) MIB,
                            s.nettyDirect() / 1024, s.jvmDirect() / 1024));
                }
                System.out.println("[backpressure]" + line);
                long rssMin = mine.stream().mapToLong(Sample::rssBytes).min().orElseThrow();
                long rssMax = mine.stream().mapToLong(Sample::rssBytes).max().orElseThrow();
                long ndMax = mine.stream().mapToLong(Sample::nettyDirect).max().orElseThrow();
                long jdMax = mine.stream().mapToLong(Sample::jvmDirect).max().orElseThrow();
                long ndMin = mine.stream().mapToLong(Sample::nettyDirect).min().orElseThrow();
                System.out.printf(Locale.ROOT, "[backpressure] %s sidecar: %d samples, RSS baseline %.1f MiB, min %.1f, max %.1f (growth %.1f MiB); "
                                + "netty direct min %d KiB max %d KiB; jvm direct max %d KiB%n", name, mine.size(),
                        baseline.get(name).rssBytes() / (double) MIB, rssMin / (double) MIB, rssMax / (double) MIB,
                        (rssMax - baseline.get(name).rssBytes()) / (double) MIB, ndMin / 1024, ndMax / 1024, jdMax / 1024);
                assertThat(mine).as("samples of the %s sidecar", name).hasSizeGreaterThan(4);
                assertThat(ndMin).as("weft_netty_direct_memory_bytes of the %s sidecar", name).isPositive();
                assertThat(rssMax - baseline.get(name).rssBytes()).as("RSS growth of the %s sidecar over its warmed-up baseline", name)
                        .isLessThan(64 * MIB);
                assertThat(jdMax).as("direct memory of the %s sidecar", name).isLessThanOrEqualTo(32 * MIB);
            }
            // Backpressure held the data back: it stopped moving while the reader did not read. What is in flight then
            // is what the kernel buffers on three TCP connections hold (their autotuned maximum), plus the clients' own buffers.
            long kernel = 3 * (sysctlMax("/proc/sys/net/ipv4/tcp_rmem") + sysctlMax("/proc/sys/net/ipv4/tcp_wmem"));
            System.out.printf(Locale.ROOT, "[backpressure] kernel socket buffers on the path, at most %d MiB%n", kernel / MIB);
            for (DownloadResult r : List.of(u, d)) {
                assertThat(r.aheadLate).as("bytes in flight when the reader had not read for a while").isLessThan(kernel + 16 * MIB);
                assertThat(r.aheadLate - r.aheadEarly).as("bytes still moving late in the pause").isLessThan(4 * MIB);
            }
            for (var e : sidecars.entrySet()) {
                WeftProcess p = e.getValue();
                assertThat(p.process().isAlive()).as("%s sidecar alive", e.getKey()).isTrue();
                assertThat(p.stderr() + p.stdout()).as("%s sidecar output", e.getKey())
                        .doesNotContain("OutOfDirectMemoryError").doesNotContain("OutOfMemoryError");
            }
        } catch (Throwable t) {
            throw new AssertionError(t + diagnostics(procs), t);
        } finally {
            sampler.shutdownNow();
            procs.forEach(WeftProcess::close);
            backend.close();
        }
    }

    /** What the sidecars said that explains a failure: whether they live, and their error lines. */
    private static String diagnostics(List<WeftProcess> procs) {
        StringBuilder sb = new StringBuilder();
        for (WeftProcess p : procs.subList(Math.min(1, procs.size()), procs.size())) {
            sb.append("\nsidecar pid ").append(p.process().pid()).append(p.process().isAlive() ? " alive" : " exited " + p.process().exitValue());
            p.stderr().lines().filter(l -> l.contains("Error") || l.contains("Exception") || l.contains("WARN"))
                    .limit(20).forEach(l -> sb.append("\n  ").append(l));
        }
        return sb.toString();
    }

    private static WeftProcess sidecar(WeftProcess cp, Path dir, String token, String service, String id, int appPort) {
        return WeftProcess.start(SIDECAR_JVM, List.of("proxy", "--service", service, "--instance-id", id,
                "--app-port", String.valueOf(appPort), "--app-health-path", "/healthz",
                "--outbound-port", "0", "--inbound-port", "0", "--admin-port", "0",
                "--control-plane", cp.baseUrl(), "--xds", "127.0.0.1:" + cp.xdsPort(),
                "--state-dir", dir.resolve("state-" + id).toString(), "--health-interval", "1s"),
                Map.of("WEFT_TOKEN", token)).awaitSidecarReady();
    }

    private static Sample sample(long at, String phase, String name, WeftProcess p) {
        long rss = rss(p.process().pid());
        String metrics = Http.get("http://127.0.0.1:" + p.adminPort() + "/metrics").body();
        Map<String, Long> m = new HashMap<>();
        Matcher x = METRIC.matcher(metrics);
        while (x.find()) {
            m.put(x.group(1), (long) Double.parseDouble(x.group(2)));
        }
        return new Sample(at, phase, name, rss, m.getOrDefault("weft_netty_direct_memory_bytes", -1L),
                m.getOrDefault("weft_jvm_direct_buffer_bytes", -1L));
    }

    private static long sysctlMax(String file) throws IOException {
        String text;
        try (InputStream in = Files.newInputStream(Path.of(file))) { // Files.readString trusts the size /proc reports
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        String[] v = text.trim().split("\\s+");
        return Long.parseLong(v[v.length - 1]);
    }

    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/" + pid + "/status: " + e, e);
        }
        throw new AssertionError("no VmRSS for " + pid);
    }

    // ---- client side ----

    /** Uploads {@code size} generated bytes; with {@code slowBackend} the backend stops reading for 4 s midway. */
    private static DownloadResult upload(HttpClient http, StreamingBackend backend, long size, long seed, boolean slowBackend) throws Exception {
        MessageDigest sent = sha256();
        GeneratedStream body = new GeneratedStream(size, seed, sent);
        long pauseMillis = 4000;
        String target = "http://bulk/upload" + (slowBackend ? "?pauseAt=" + size / 2 + "&pauseMs=" + pauseMillis : "");
        HttpRequest req = HttpRequest.newBuilder(URI.create(target))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), size))
                .build();
        backend.uploadPaused = new java.util.concurrent.CountDownLatch(1);
        var answer = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
        long aheadEarly = -1;
        long aheadLate = -1;
        if (slowBackend) {
            assertThat(backend.uploadPaused.await(60, TimeUnit.SECONDS)).as("the backend reached the middle of the upload").isTrue();
            Thread.sleep(1500);
            aheadEarly = body.handedOut() - backend.uploadReceived.get();
            Thread.sleep(pauseMillis - 2000);
            aheadLate = body.handedOut() - backend.uploadReceived.get();
        }
        HttpResponse<String> resp = answer.get(120, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).as("upload answer: %s", resp.body()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo(size + " " + HexFormat.of().formatHex(sent.digest()));
        return new DownloadResult(pauseMillis, aheadEarly, aheadLate);
    }

    record DownloadResult(long pauseMillis, long aheadEarly, long aheadLate) {
    }

    private static DownloadResult download(HttpClient http, StreamingBackend backend, long size, long seed, boolean slowReader) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://bulk/download?size=" + size + "&seed=" + seed)).build();
        HttpResponse<InputStream> resp = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).isEqualTo(200);
        MessageDigest got = sha256();
        byte[] buf = new byte[CHUNK];
        long read = 0;
        long pauseMillis = 4000;
        long aheadEarly = -1;
        long aheadLate = -1;
        boolean paused = !slowReader;
        try (InputStream in = resp.body()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.update(buf, 0, n);
                read += n;
                if (!paused && read >= size / 2) {
                    paused = true; // the slow reader: stop reading midway, long enough for every buffer on the way to fill
                    Thread.sleep(1500);
                    aheadEarly = backend.downloadSent.get() - read;
                    Thread.sleep(pauseMillis - 1500);
                    aheadLate = backend.downloadSent.get() - read;
                }
            }
        }
        assertThat(read).isEqualTo(size);
        // the backend's thread records its digest after its last write, which the client may have read already
        String expected = Awaitility.await("the backend's digest of download " + seed).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> backend.downloadDigests.get(seed), java.util.Objects::nonNull);
        assertThat(HexFormat.of().formatHex(got.digest())).as("digest of the downloaded bytes").isEqualTo(expected);
        return new DownloadResult(pauseMillis, aheadEarly, aheadLate);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Deterministic pseudo-random bytes, generated 64 KiB at a time from a seeded generator. */
    static final class Generator {
        private final SplittableRandom random;

        Generator(long seed) {
            random = new SplittableRandom(seed);
        }

        void fill(byte[] b) {
            for (int i = 0; i + 8 <= b.length; i += 8) {
                long v = random.nextLong();
                b[i] = (byte) v;
                b[i + 1] = (byte) (v >>> 8);
                b[i + 2] = (byte) (v >>> 16);
                b[i + 3] = (byte) (v >>> 24);
                b[i + 4] = (byte) (v >>> 32);
                b[i + 5] = (byte) (v >>> 40);
                b[i + 6] = (byte) (v >>> 48);
                b[i + 7] = (byte) (v >>> 56);
            }
        }
    }

    /** {@code size} generated bytes, digested as they are handed out. */
    static final class GeneratedStream extends InputStream {
        private final Generator gen;
        private final MessageDigest digest;
        private final byte[] chunk = new byte[CHUNK];
        private final long size;
        private volatile long remaining;
        private int pos = CHUNK;

        GeneratedStream(long size, long seed, MessageDigest digest) {
            this.gen = new Generator(seed);
            this.size = size;
            this.remaining = size;
            this.digest = digest;
        }

        long handedOut() {
            return size - remaining;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            if (pos == CHUNK) {
                gen.fill(chunk);
                pos = 0;
            }
            int n = (int) Math.min(Math.min(len, CHUNK - pos), remaining);
            System.arraycopy(chunk, pos, b, off, n);
            digest.update(chunk, pos, n);
            pos += n;
            remaining -= n;
            return n;
        }
    }

    // ---- the backend: a blocking-socket HTTP/1.1 server that streams, one thread per connection ----

    static final class StreamingBackend implements AutoCloseable {
        final AtomicLong downloadSent = new AtomicLong();
        final AtomicLong uploadReceived = new AtomicLong();
        volatile java.util.concurrent.CountDownLatch uploadPaused = new java.util.concurrent.CountDownLatch(1);
        final Map<Long, String> downloadDigests = new java.util.concurrent.ConcurrentHashMap<>();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        StreamingBackend() throws IOException {
            server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::acceptLoop, "backend-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = new BufferedInputStream(s.getInputStream(), CHUNK);
                OutputStream out = s.getOutputStream();
                while (true) {
                    String requestLine = line(in);
                    if (requestLine == null) {
                        return;
                    }
                    Map<String, String> headers = new HashMap<>();
                    String h;
                    while (!(h = line(in)).isEmpty()) {
                        int colon = h.indexOf(':');
                        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                    }
                    String[] parts = requestLine.split(" ");
                    String target = parts[1];
                    if (parts[0].equals("POST") && target.startsWith("/upload")) {
                        MessageDigest d = sha256();
                        Map<String, String> q = query(target);
                        long pauseAt = Long.parseLong(q.getOrDefault("pauseAt", "-1"));
                        long pauseMs = Long.parseLong(q.getOrDefault("pauseMs", "0"));
                        uploadReceived.set(0);
                        long n = readBody(in, headers, new Sink(d, uploadReceived, pauseAt, pauseMs, uploadPaused));
                        respond(out, n + " " + HexFormat.of().formatHex(d.digest()));
                    } else if (parts[0].equals("GET") && target.startsWith("/download")) {
                        readBody(in, headers, null);
                        Map<String, String> q = query(target);
                        streamDownload(out, Long.parseLong(q.get("size")), Long.parseLong(q.get("seed")));
                    } else {
                        readBody(in, headers, null);
                        respond(out, "ok");
                    }
                }
            } catch (IOException e) {
                // the connection went away
            }
        }

        private void streamDownload(OutputStream out, long size, long seed) throws IOException {
            downloadSent.set(0);
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            MessageDigest d = sha256();
            Generator gen = new Generator(seed);
            byte[] chunk = new byte[CHUNK];
            long left = size;
            while (left > 0) {
                gen.fill(chunk);
                int n = (int) Math.min(CHUNK, left);
                d.update(chunk, 0, n);
                out.write(chunk, 0, n);
                left -= n;
                downloadSent.addAndGet(n);
            }
            out.flush();
            downloadDigests.put(seed, HexFormat.of().formatHex(d.digest()));
        }

        private static void respond(OutputStream out, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
        }

        /** Reads the request body as it arrives (Content-Length or chunked), digesting it when asked. */
        private static long readBody(InputStream in, Map<String, String> headers, Sink d) throws IOException {
            byte[] buf = new byte[CHUNK];
            long total = 0;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String size = line(in);
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!line(in).isEmpty()) {
                            // trailers
                        }
                        return total;
                    }
                    total += copy(in, n, buf, d);
                    line(in);
                }
            }
            String cl = headers.get("content-length");
            return cl == null ? 0 : copy(in, Long.parseLong(cl), buf, d);
        }

        private static long copy(InputStream in, long n, byte[] buf, Sink d) throws IOException {
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new EOFException("body cut short");
                }
                if (d != null) {
                    d.accept(buf, r);
                }
                left -= r;
            }
            return n;
        }

        /** Digests and counts the upload as it arrives; stops reading for a while once, midway, when asked. */
        record Sink(MessageDigest digest, AtomicLong received, long pauseAt, long pauseMs, java.util.concurrent.CountDownLatch paused) {
            void accept(byte[] buf, int n) throws IOException {
                digest.update(buf, 0, n);
                long before = received.getAndAdd(n);
                if (pauseAt >= 0 && before < pauseAt && before + n >= pauseAt) {
                    paused.countDown();
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int len = sb.length();
                    return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            if (sb.length() == 0) {
                return null;
            }
            throw new EOFException("line cut short");
        }

        private static Map<String, String> query(String target) {
            Map<String, String> q = new HashMap<>();
            int at = target.indexOf('?');
            if (at >= 0) {
                for (String kv : target.substring(at + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    q.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return q;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
