package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.endpoint;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.ProxyConfig;
import java.io.IOException;
import java.io.InputStream;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real sockets end to end: app client → sidecar A outbound → sidecar B inbound → app, with real
 * backends, the JDK HTTP client in proxy mode, raw sockets and real curl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SidecarProxyTest {
    private TestBackend app;
    private TestBackend reuse;
    private final TestBackend[] trio = new TestBackend[3];
    private Sidecar a;
    private Sidecar b;
    private HttpClient client;
    private int refusedPort;
    private ServerSocket resetter;

    @BeforeAll
    void start() throws Exception {
        app = new TestBackend("app");
        reuse = new TestBackend("reuse");
        for (int i = 0; i < 3; i++) {
            trio[i] = new TestBackend("b" + i);
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = s.getLocalPort();
        }
        resetter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!resetter.isClosed()) {
                try (Socket s = resetter.accept()) {
                    s.getInputStream().read(); // take the request's first byte, then hang up
                } catch (IOException e) {
                    // closed
                }
            }
        }, "resetter");
        t.setDaemon(true);
        t.start();

        b = Sidecar.start(Configs.testOptions());
        b.apply(new Configs.Builder(b).app(app.port()).build("b1"));
        a = Sidecar.start(Configs.testOptions());
        Configs.Builder cfg = new Configs.Builder(a)
                .service(cluster("catalog", LbPolicy.ROUND_ROBIN, endpoint(b.inboundPort(), EndpointHealth.HEALTHY, 1)))
                .service(cluster("reuse", LbPolicy.ROUND_ROBIN, healthy(reuse.port())))
                .service(cluster("down", LbPolicy.ROUND_ROBIN, endpoint(app.port(), EndpointHealth.UNHEALTHY, 1)))
                .service(cluster("panic", LbPolicy.ROUND_ROBIN, endpoint(refusedPort, EndpointHealth.HEALTHY, 1),
                        endpoint(app.port(), EndpointHealth.UNHEALTHY, 1), endpoint(app.port(), EndpointHealth.UNHEALTHY, 1)))
                .service(cluster("refused", LbPolicy.ROUND_ROBIN, healthy(refusedPort)))
                .service(cluster("reset", LbPolicy.ROUND_ROBIN, healthy(resetter.getLocalPort())));
        for (LbPolicy p : LbPolicy.values()) {
            cfg.service(cluster("lb-" + p.name().toLowerCase().replace('_', '-'), p, healthy(trio[0].port()), healthy(trio[1].port()), healthy(trio[2].port())));
        }
        for (LbPolicy p : new LbPolicy[] {LbPolicy.RING_HASH, LbPolicy.MAGLEV}) {
            cfg.service(cluster("sticky-" + p.name().toLowerCase().replace('_', '-'), p, healthy(trio[0].port()), healthy(trio[1].port()),
                    healthy(trio[2].port())), List.of(new HashPolicy(HashPolicy.Kind.HEADER, "x-user", true)));
        }
        cfg.service(cluster("weighted", LbPolicy.ROUND_ROBIN, endpoint(trio[0].port(), EndpointHealth.HEALTHY, 1),
                endpoint(trio[1].port(), EndpointHealth.HEALTHY, 2), endpoint(trio[2].port(), EndpointHealth.DEGRADED, 3)));
        cfg.timeout(Duration.ofMillis(300)).service(cluster("slow", LbPolicy.ROUND_ROBIN, healthy(app.port())));
        a.apply(cfg.build("a1"));
        client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.outboundPort())))
                .build();
    }

    @AfterAll
    void stop() throws IOException {
        a.close();
        b.close();
        app.close();
        reuse.close();
        for (TestBackend t : trio) {
            t.close();
        }
        resetter.close();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void proxyFormGoesThroughBothSidecarsAsOriginForm() throws Exception {
        HttpResponse<String> r = get("http://catalog/items?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("backend=app method=GET path=/items?x=1 host=catalog proxy-connection=null");
    }

    @Test
    void originFormWithHostHeaderAndHopByHopHeadersStripped() throws Exception {
        try (RawHttp raw = new RawHttp(a.outboundPort())) {
            raw.send("GET /items HTTP/1.1\r\nHost: Catalog.service.weft:80\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\n\r\n");
            String resp = raw.readResponse();
            assertThat(resp).startsWith("HTTP/1.1 200").endsWith("backend=app method=GET path=/items host=Catalog.service.weft:80 proxy-connection=null");
            // the connection stays open for another request
            raw.send("GET http://catalog/again HTTP/1.1\r\nHost: ignored\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("path=/again host=catalog proxy-connection=null");
        }
    }

    @Test
    void keepAliveReusesOneUpstreamConnection() throws Exception {
        for (int i = 0; i < 25; i++) {
            assertThat(get("http://reuse/n" + i).statusCode()).isEqualTo(200);
        }
        assertThat(reuse.requests.get()).isEqualTo(25);
        assertThat(reuse.clientPorts).hasSize(1);
    }

    @Test
    void connectionIsNotReusedAfterUpstreamSaysClose() throws Exception {
        try (TestBackend closing = new TestBackend("closing"); Sidecar s = Sidecar.start(Configs.testOptions())) {
            s.apply(new Configs.Builder(s).service(cluster("closing", LbPolicy.ROUND_ROBIN, healthy(closing.port()))).build("1"));
            try (RawHttp raw = new RawHttp(s.outboundPort())) {
                for (int i = 0; i < 4; i++) {
                    raw.send("GET /close HTTP/1.1\r\nHost: closing\r\n\r\n");
                    String resp = raw.readResponse();
                    assertThat(resp).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
                }
            }
            assertThat(closing.clientPorts).hasSize(4);
        }
    }

    @Test
    void closeDelimitedUpstreamBodyIsChunkedForTheClient() throws Exception {
        try (ServerSocket legacy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress()); Sidecar s = Sidecar.start(Configs.testOptions())) {
            Thread t = new Thread(() -> {
                try (Socket c = legacy.accept()) {
                    c.getInputStream().read(new byte[4096]);
                    c.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // test fails on the client side
                }
            });
            t.setDaemon(true);
            t.start();
            s.apply(new Configs.Builder(s).service(cluster("legacy", LbPolicy.ROUND_ROBIN, healthy(legacy.getLocalPort()))).build("1"));
            try (RawHttp raw = new RawHttp(s.outboundPort())) {
                raw.send("GET / HTTP/1.1\r\nHost: legacy\r\nConnection: close\r\n\r\n");
                RawHttp.Result r = raw.readToClose();
                assertThat(r.text()).startsWith("HTTP/1.0 200 OK\r\n").contains("transfer-encoding: chunked\r\n")
                        .endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            }
        }
    }

    @Test
    void connectionIsRetiredAfterMaxRequestsPerConnection() throws Exception {
        try (TestBackend limited = new TestBackend("limited"); Sidecar s = Sidecar.start(Configs.testOptions())) {
            s.apply(new Configs.Builder(s).service(new dev.weft.proxy.config.ClusterConfig("limited", LbPolicy.ROUND_ROBIN,
                    Duration.ofSeconds(1), Duration.ofSeconds(60), 2, List.of(healthy(limited.port()))))
                    .build("1"));
            try (RawHttp raw = new RawHttp(s.outboundPort())) {
                for (int i = 0; i < 6; i++) {
                    raw.send("GET /n HTTP/1.1\r\nHost: limited\r\n\r\n");
                    assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
                }
            }
            assertThat(limited.clientPorts).hasSize(3);
        }
    }

    @Test
    void endpointChangeTakesEffectOnTheNextRequest() throws Exception {
        try (TestBackend first = new TestBackend("first"); TestBackend second = new TestBackend("second");
             Sidecar s = Sidecar.start(Configs.testOptions())) {
            s.apply(new Configs.Builder(s).service(cluster("svc", LbPolicy.ROUND_ROBIN, healthy(first.port()))).build("1"));
            try (RawHttp raw = new RawHttp(s.outboundPort())) {
                raw.send("GET /a HTTP/1.1\r\nHost: svc\r\n\r\n");
                assertThat(raw.readResponse()).contains("backend=first");
                s.apply(new Configs.Builder(s).service(cluster("svc", LbPolicy.ROUND_ROBIN,
                        endpoint(first.port(), EndpointHealth.UNHEALTHY, 1), healthy(second.port()))).build("2"));
                raw.send("GET /b HTTP/1.1\r\nHost: svc\r\n\r\n");
                assertThat(raw.readResponse()).contains("backend=second");
            }
        }
    }

    @Test
    void streams50MegabytesBothWaysThroughTwoSidecars() throws Exception {
        long size = 50L * 1024 * 1024;
        MessageDigest md = TestBackend.sha256();
        HttpRequest upload = HttpRequest.newBuilder(URI.create("http://catalog/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size, md))).build();
        HttpResponse<String> up = client.send(upload, HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo(HexFormat.of().formatHex(md.digest()) + " " + size);

        HttpResponse<InputStream> down = client.send(HttpRequest.newBuilder(URI.create("http://catalog/download?n=" + size)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        long got = 0;
        byte[] buf = new byte[64 * 1024];
        byte[] want = new byte[buf.length];
        try (InputStream in = down.body()) {
            int r;
            while ((r = in.read(buf)) > 0) {
                TestBackend.fill(want, got, r);
                assertThat(java.util.Arrays.mismatch(buf, 0, r, want, 0, r)).as("byte at %d", got).isEqualTo(-1);
                got += r;
            }
        }
        assertThat(got).isEqualTo(size);
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void spreadsTrafficOverThreeBackends(LbPolicy policy) throws Exception {
        int[] before = counts();
        for (int i = 0; i < 300; i++) {
            assertThat(get("http://lb-" + policy.name().toLowerCase().replace('_', '-') + "/").statusCode()).isEqualTo(200);
        }
        int[] after = counts();
        for (int i = 0; i < 3; i++) {
            int n = after[i] - before[i];
            if (policy == LbPolicy.ROUND_ROBIN) {
                assertThat(n).as("backend %d", i).isEqualTo(100);
            } else if (policy == LbPolicy.PEAK_EWMA) {
                // follows measured latency, which differs between equal backends by chance
                assertThat(n).as("backend %d", i).isPositive();
            } else {
                assertThat(n).as("backend %d", i).isBetween(60, 140);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"RING_HASH", "MAGLEV"})
    void aHashPolicyKeepsAUserOnOneBackend(LbPolicy policy) throws Exception {
        String host = "http://sticky-" + policy.name().toLowerCase().replace('_', '-') + "/";
        java.util.Set<Integer> usedByAll = new java.util.HashSet<>();
        for (int user = 0; user < 12; user++) {
            int[] before = counts();
            for (int i = 0; i < 5; i++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(host)).header("x-user", "user-" + user).build();
                assertThat(client.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            int[] after = counts();
            int backends = 0;
            for (int i = 0; i < 3; i++) {
                if (after[i] != before[i]) {
                    backends++;
                    usedByAll.add(i);
                    assertThat(after[i] - before[i]).isEqualTo(5);
                }
            }
            assertThat(backends).as("user-%d", user).isEqualTo(1);
        }
        assertThat(usedByAll).as("12 users spread over the backends").hasSizeGreaterThan(1);
    }

    @Test
    void panicModeSendsToUnhealthyEndpointsWhenTooFewAreHealthy() throws Exception {
        // 1 of 3 serving (the refused port), under 50%: round robin over all three, two reach the app
        int ok = 0;
        for (int i = 0; i < 6; i++) {
            if (get("http://panic/").statusCode() == 200) {
                ok++;
            }
        }
        assertThat(ok).isEqualTo(4);
    }

    @Test
    void weightedRoundRobinFollowsWeightsAndUsesDegradedEndpoints() throws Exception {
        int[] before = counts();
        for (int i = 0; i < 60; i++) {
            assertThat(get("http://weighted/").statusCode()).isEqualTo(200);
        }
        int[] after = counts();
        assertThat(new int[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]}).containsExactly(10, 20, 30);
    }

    private int[] counts() {
        return new int[] {trio[0].requests.get(), trio[1].requests.get(), trio[2].requests.get()};
    }

    @Test
    void curlSeesUnknownService() throws Exception {
        Curl r = curl("http://nosuch/x");
        assertThat(r.stderr).contains("< HTTP/1.1 503").contains("< x-weft-error: unknown_service");
        assertThat(r.stdout).isEqualTo("unknown_service: no service \"nosuch\" in the mesh\n");
    }

    @Test
    void curlSeesNoHealthyUpstream() throws Exception {
        Curl r = curl("http://down/");
        assertThat(r.stderr).contains("< HTTP/1.1 503").contains("< x-weft-error: no_healthy_upstream");
        assertThat(r.stdout).startsWith("no_healthy_upstream: service \"down\" has no healthy endpoint (1 known)");
    }

    @Test
    void curlSeesConnectionRefused() throws Exception {
        Curl r = curl("http://refused/");
        assertThat(r.stderr).contains("< HTTP/1.1 502").contains("< x-weft-error: upstream_connect_failed");
        assertThat(r.stdout).startsWith("upstream_connect_failed: service \"refused\": cannot connect to 127.0.0.1:" + refusedPort);
    }

    @Test
    void curlSeesRouteTimeout() throws Exception {
        Curl r = curl("http://slow/slow");
        assertThat(r.stderr).contains("< HTTP/1.1 504").contains("< x-weft-error: upstream_timeout");
        assertThat(r.stdout).isEqualTo("upstream_timeout: service \"slow\" did not respond within 300 ms\n");
    }

    @Test
    void curlSeesUpstreamReset() throws Exception {
        Curl r = curl("http://reset/");
        assertThat(r.stderr).contains("< HTTP/1.1 502").contains("< x-weft-error: upstream_reset");
        assertThat(r.stdout).startsWith("upstream_reset: service \"reset\": 127.0.0.1:" + resetter.getLocalPort() + " closed the connection");
    }

    @Test
    void curlWithHostHeaderOnOriginForm() throws Exception {
        Process p = new ProcessBuilder("curl", "-sv", "--max-time", "10", "-H", "Host: catalog",
                "http://127.0.0.1:" + a.outboundPort() + "/hello").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(15, TimeUnit.SECONDS);
        assertThat(out).isEqualTo("backend=app method=GET path=/hello host=catalog proxy-connection=null");
    }

    @Test
    void configNamingAnotherAddressIsRejectedAndTheOldOneKept() {
        ProxyConfig before = a.config();
        ProxyConfig wrong = new Configs.Builder(b).service(cluster("x", LbPolicy.ROUND_ROBIN, healthy(1))).build("bad");
        assertThatThrownBy(() -> a.apply(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outbound listener \"weft-outbound\" asks for 127.0.0.1:" + b.outboundPort())
                .hasMessageContaining("bound to 127.0.0.1:" + a.outboundPort());
        assertThat(a.config()).isSameAs(before);
    }

    private record Curl(String stdout, String stderr) {
    }

    private Curl curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-sv", "--max-time", "10", "-x", "http://127.0.0.1:" + a.outboundPort(), url).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return new Curl(out, err);
    }

    /** size bytes of a fixed pattern, digested as they are read. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private final MessageDigest md;
        private long pos;

        PatternStream(long size, MessageDigest md) {
            this.size = size;
            this.md = md;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (pos + i);
            }
            md.update(b, off, n);
            pos += n;
            return n;
        }
    }
}
