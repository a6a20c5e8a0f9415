package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.UpstreamProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through the sidecars with real clients and servers: curl and h2load with prior knowledge,
 * nghttpd as an h2c app, the JDK HTTP/1.1 server as an HTTP/1.1 app. The mesh path is client →
 * sidecar A (outbound) → sidecar B or C (inbound) → app; between sidecars the downstream's protocol
 * is kept, so an HTTP/2 client's streams are multiplexed over A's pooled connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2ProxyTest {
    private static final String TRAILER = "x-weft-trailer: kept";
    private static final int FILE_BYTES = 3 * 1024 * 1024 + 17;

    @TempDir
    static Path dir;
    private String curl;
    private String h2load;
    private String nghttp;
    private TestBackend app;
    private Process nghttpd;
    private int nghttpdPort;
    private String fileSha;
    private Sidecar a;
    private Sidecar b;
    private Sidecar c;

    @BeforeAll
    void start() throws Exception {
        curl = ExternalTool.require("/usr/bin/curl", "curl");
        h2load = ExternalTool.require("/usr/bin/h2load", "nghttp2-client");
        nghttp = ExternalTool.require("/usr/bin/nghttp", "nghttp2-client");
        String nghttpdPath = ExternalTool.require("/usr/sbin/nghttpd", "nghttp2-server");
        app = new TestBackend("app");

        Path htdocs = Files.createDirectories(dir.resolve("htdocs"));
        byte[] file = new byte[FILE_BYTES];
        TestBackend.fill(file, 0, file.length);
        Files.write(htdocs.resolve("big.bin"), file);
        Files.writeString(htdocs.resolve("small.txt"), "served by nghttpd\n");
        fileSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nghttpdPort = s.getLocalPort();
        }
        nghttpd = new ProcessBuilder(nghttpdPath, "--no-tls", "-a", "127.0.0.1", "-d", htdocs.toString(), "--trailer", TRAILER,
                String.valueOf(nghttpdPort)).redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
        awaitListening(nghttpdPort);

        b = Sidecar.start(Configs.testOptions());
        b.apply(new Configs.Builder(b).app(app.port()).build("b1"));
        c = Sidecar.start(Configs.testOptions());
        c.apply(new Configs.Builder(c).app(nghttpdPort, UpstreamProtocol.HTTP2).build("c1"));
        a = Sidecar.start(Configs.testOptions());
        a.apply(new Configs.Builder(a)
                .service(cluster("catalog", LbPolicy.ROUND_ROBIN, Configs.mesh(b.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("catalog-mux", LbPolicy.ROUND_ROBIN, Configs.mesh(b.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("catalog-cap", LbPolicy.ROUND_ROBIN, Configs.mesh(b.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("files", LbPolicy.ROUND_ROBIN, Configs.mesh(c.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                // an instance registered without a sidecar, in a cluster of the downstream's protocol
                .service(cluster("legacy", LbPolicy.ROUND_ROBIN, healthy(app.port())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("files-direct", LbPolicy.ROUND_ROBIN, healthy(nghttpdPort)).withProtocol(UpstreamProtocol.HTTP2))
                .build("a1"));
    }

    @AfterAll
    void stop() {
        for (Sidecar s : new Sidecar[] {a, b, c}) {
            if (s != null) {
                s.close();
            }
        }
        if (app != null) {
            app.close();
        }
        if (nghttpd != null) {
            nghttpd.destroy();
        }
    }

    private String outbound(String path) {
        return "http://127.0.0.1:" + a.outboundPort() + path;
    }

    private ExternalTool.Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd, 30);
    }

    @Test
    void priorKnowledgeClientReachesAnHttp1AppThroughTwoSidecars() throws Exception {
        ExternalTool.Result r = curl("--http2-prior-knowledge", "-H", "Host: catalog", "-w", "\\n%{http_version} %{http_code}",
                outbound("/hello?x=1"));
        assertThat(r.stdout()).isEqualTo("backend=app method=GET path=/hello?x=1 host=catalog proxy-connection=null\n2 200");
    }

    @Test
    void anInstanceWithoutASidecarIsSpokenToInHttp1EvenWhenTheClientSpeaksHttp2() throws Exception {
        ExternalTool.Result r = curl("--http2-prior-knowledge", "-H", "Host: legacy", "-w", "\\n%{http_version} %{http_code}",
                outbound("/plain"));
        assertThat(r.stdout()).isEqualTo("backend=app method=GET path=/plain host=legacy proxy-connection=null\n2 200");
    }

    @Test
    void uploadFromAnHttp2ClientArrivesWholeAtAnHttp1App() throws Exception {
        byte[] body = new byte[5 * 1024 * 1024 + 3];
        TestBackend.fill(body, 11, body.length);
        Path f = dir.resolve("upload.bin");
        Files.write(f, body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        // without Content-Length (streamed from stdin-like file with chunked semantics in HTTP/2 DATA frames)
        ExternalTool.Result r = curl("--http2-prior-knowledge", "-H", "Host: catalog", "-H", "Content-Length:", "--data-binary", "@" + f,
                outbound("/upload"));
        assertThat(r.stdout()).as(r.stderr()).isEqualTo(sha + " " + body.length);
        ExternalTool.Result withLength = curl("--http2-prior-knowledge", "-H", "Host: catalog", "--data-binary", "@" + f, outbound("/upload"));
        assertThat(withLength.stdout()).isEqualTo(sha + " " + body.length);
    }

    @Test
    void http2AppServesAFileWithTrailersThroughTwoSidecars() throws Exception {
        Path out = dir.resolve("h2-download.bin");
        ExternalTool.Result r = curl("-v", "--http2-prior-knowledge", "-H", "Host: files", "-o", out.toString(), outbound("/big.bin"));
        assertThat(sha(out)).as(r.stderr()).isEqualTo(fileSha);
        assertThat(r.stderr()).contains("< HTTP/2 200");
        // curl does not show HTTP/2 trailers; nghttp prints every frame: the trailer arrives in a last HEADERS frame
        ExternalTool.Result frames = ExternalTool.run(List.of(nghttp, "-v", "-H", ":authority: files", outbound("/small.txt")), 30);
        assertThat(frames.stdout()).contains("served by nghttpd");
        int trailer = frames.stdout().indexOf(") " + TRAILER);
        assertThat(trailer).as(frames.stdout()).isPositive();
        assertThat(frames.stdout().substring(trailer)).contains("recv HEADERS frame").contains("END_STREAM");
        assertThat(frames.stdout()).doesNotContain("x-http2-");
    }

    @Test
    void http1ClientReachesAnHttp2App() throws Exception {
        // HTTP/1.1 in, so HTTP/1.1 from A to C; C speaks HTTP/2 to the app. The app sends Content-Length,
        // so its trailers cannot be framed for an HTTP/1.1 client and are dropped, as Envoy does.
        Path out = dir.resolve("h1-download.bin");
        ExternalTool.Result r = curl("-v", "--http1.1", "-H", "Host: files", "-o", out.toString(), outbound("/big.bin"));
        assertThat(sha(out)).as(r.stderr()).isEqualTo(fileSha);
        assertThat(r.stderr()).contains("< HTTP/1.1 200").contains("< content-length: " + FILE_BYTES);

        // and through one sidecar straight to the h2c app, with the JDK client in proxy mode
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(java.net.ProxySelector.of(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), a.outboundPort()))).build();
        HttpResponse<String> small = jdk.send(HttpRequest.newBuilder(URI.create("http://files-direct/small.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(small.body()).isEqualTo("served by nghttpd\n");
        assertThat(small.headers().firstValue("x-http2-stream-id")).isEmpty();
    }

    @Test
    void aSlowHttp2ReaderHoldsBackTheFastAppInsteadOfFillingTheSidecarsMemory() throws Exception {
        // 48 MiB from a fast HTTP/1.1 app, HTTP/2 from A to B and from the client, read at 12 MiB/s:
        // flow control (stream windows of 1 MiB) and TCP must push back on the app
        long n = 48L * 1024 * 1024;
        Path out = dir.resolve("slow-h2.bin");
        long baseline = dev.weft.proxy.telemetry.ProxyMetrics.nettyDirectMemory();
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong(baseline);
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(dev.weft.proxy.telemetry.ProxyMetrics.nettyDirectMemory(), Math::max),
                0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        ExternalTool.Result r;
        try {
            r = curl("--http2-prior-knowledge", "--limit-rate", "12M", "-H", "Host: catalog", "-o", out.toString(),
                    "-w", "%{http_version} %{http_code}", outbound("/download?n=" + n));
        } finally {
            sampler.shutdownNow();
        }
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("2 200");
        assertThat(Files.size(out)).isEqualTo(n);
        byte[] expected = new byte[64 * 1024];
        try (var in = Files.newInputStream(out)) {
            byte[] got = new byte[expected.length];
            for (long off = 0; off < n; off += expected.length) {
                int len = (int) Math.min(expected.length, n - off);
                assertThat(in.readNBytes(got, 0, len)).isEqualTo(len);
                TestBackend.fill(expected, off, len);
                assertThat(java.util.Arrays.equals(got, 0, len, expected, 0, len)).as("bytes at %d", off).isTrue();
            }
        }
        long grew = peak.get() - baseline;
        System.out.printf("slow HTTP/2 reader: Netty direct memory peak %d KiB above the %d KiB baseline%n", grew / 1024, baseline / 1024);
        assertThat(grew).as("direct memory growth while 48 MiB crossed two sidecars to a slow reader").isLessThan(32L * 1024 * 1024); // about 16 MiB of pooled chunks when it works, 65 MiB with backpressure removed
    }

    @Test
    void sidecarErrorsReachHttp2Clients() throws Exception {
        ExternalTool.Result r = curl("-i", "--http2-prior-knowledge", "-H", "Host: nosuch", outbound("/"));
        assertThat(r.stdout()).startsWith("HTTP/2 503").contains("x-weft-error: unknown_service");
        ExternalTool.Result missing = curl("-i", "--http2-prior-knowledge", "-H", "Host: files", outbound("/no-such-file"));
        assertThat(missing.stdout()).startsWith("HTTP/2 404");
    }

    @Test
    void h2loadStreamsAreMultiplexedOverOnePooledConnection() throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of(h2load, "-n", "3000", "-c", "1", "-m", "64", "-H", ":authority: catalog-mux",
                outbound("/h2load")), 60);
        assertThat(r.stdout()).as(r.stderr()).contains("requests: 3000 total, 3000 started, 3000 done, 3000 succeeded, 0 failed, 0 errored")
                .contains("status codes: 3000 2xx");
        // one downstream connection lands on one event loop, whose pool carried all 64 concurrent streams on one connection
        assertThat(upstreamConnections(a, "catalog-mux")).isEqualTo(1);
    }

    @Test
    void moreStreamsThanOneConnectionCarriesOpenASecondConnection() throws Exception {
        // 150 concurrent 2-second requests: the pool's cap is 100 streams a connection
        ExternalTool.Result r = ExternalTool.run(List.of(h2load, "-n", "150", "-c", "1", "-m", "150", "-H", ":authority: catalog-cap",
                outbound("/slow")), 60);
        assertThat(r.stdout()).as(r.stderr()).contains("150 succeeded, 0 failed").contains("status codes: 150 2xx");
        assertThat(upstreamConnections(a, "catalog-cap")).isEqualTo(2);
    }

    @Test
    void aClientSpeakingHttp2BadlyLosesOnlyItsConnection() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.outboundPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 4, 0x7f, 0, 0, 0, 0, 0, 1, 2, 3, 4}); // a frame of an unknown type is fine...
            out.write(new byte[] {0, 0, 3, 4, 0, 0, 0, 0, 0, 1, 2, 3}); // ...a SETTINGS frame of 3 bytes is not
            out.flush();
            assertThat(readUntilClosed(s)).as("the sidecar sends its SETTINGS and a GOAWAY, then closes").isGreaterThan(9);
        }
        ExternalTool.Result r = curl("--http2-prior-knowledge", "-H", "Host: catalog", outbound("/still-fine"));
        assertThat(r.stdout()).startsWith("backend=app method=GET path=/still-fine");
    }

    /** Bytes read before the peer closed (a reset after the last read counts as closed). */
    private static int readUntilClosed(Socket s) throws IOException {
        int n = 0;
        byte[] buf = new byte[4096];
        try {
            int r;
            while ((r = s.getInputStream().read(buf)) > 0) {
                n += r;
            }
        } catch (java.net.SocketException reset) {
            // the sidecar closed with our unread bytes in its buffer
        }
        return n;
    }

    private static int upstreamConnections(Sidecar s, String cluster) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^weft_upstream_connections\\{[^}]*cluster=\"" + cluster + "\"[^}]*} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        return (int) Double.parseDouble(m.group(1));
    }

    private static String sha(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
