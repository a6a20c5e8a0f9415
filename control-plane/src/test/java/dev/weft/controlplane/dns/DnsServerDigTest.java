package dev.weft.controlplane.dns;

import static dev.weft.controlplane.dns.InMemoryCatalog.passing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.api.registry.HealthStatus;
import dev.weft.controlplane.dns.Dig.Record;
import dev.weft.controlplane.dns.Dig.Result;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server on a real socket, queried as a user would, with {@code dig}. */
class DnsServerDigTest {
    static final InMemoryCatalog catalog = new InMemoryCatalog()
            .put("web",
                    passing("web", "web-1", "10.0.0.1", 8080, "primary", "v1"),
                    passing("web", "web-2", "10.0.0.2", 8081, "v1"),
                    passing("web", "web-3", "10.0.0.3", 8082, "v2"),
                    InMemoryCatalog.instance("web", "web-4", "10.0.0.4", 8083, HealthStatus.CRITICAL))
            .put("six", passing("six", "s-1", "fd00::1", 9000), passing("six", "s-2", "fd00::2", 9001))
            .put("down", InMemoryCatalog.instance("down", "d-1", "10.3.0.1", 1, HealthStatus.CRITICAL))
            .put("big", DnsResponderTest.bigService(60));
    static DnsServer server;
    static int port;

    @BeforeAll
    static void start() {
        server = DnsServer.start(new DnsConfig(InetAddress.getLoopbackAddress(), 0, "weft", Duration.ofSeconds(7)), catalog);
        port = server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Result dig(String... args) {
        return Dig.query(port, args);
    }

    @Test
    void aOverUdpAndTcp() {
        for (String transport : List.of("+notcp", "+tcp")) {
            Result r = dig("web.service.weft", "A", transport);
            assertThat(r.status()).isEqualTo("NOERROR");
            assertThat(r.flags()).contains("qr", "aa").doesNotContain("ra", "tc");
            assertThat(r.answerData()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
            assertThat(r.answer()).extracting(Record::ttl).containsOnly(7L);
            assertThat(r.answer()).extracting(Record::type).containsOnly("A");
        }
    }

    @Test
    void aaaa() {
        Result r = dig("six.service.weft", "AAAA");
        assertThat(r.answerData()).containsExactlyInAnyOrder("fd00::1", "fd00::2");
        assertThat(r.answer()).extracting(Record::type).containsOnly("AAAA");
    }

    @Test
    void srvBothFormsWithAdditionalAddresses() {
        for (String name : List.of("web.service.weft", "_web._tcp.service.weft")) {
            Result r = dig(name, "SRV");
            assertThat(r.status()).isEqualTo("NOERROR");
            assertThat(r.answerData()).containsExactlyInAnyOrder(
                    "1 1 8080 0a000001.addr.weft.", "1 1 8081 0a000002.addr.weft.", "1 1 8082 0a000003.addr.weft.");
            assertThat(r.additional()).extracting(a -> a.name() + " " + a.type() + " " + a.data())
                    .containsExactlyInAnyOrder("0a000001.addr.weft. A 10.0.0.1", "0a000002.addr.weft. A 10.0.0.2",
                            "0a000003.addr.weft. A 10.0.0.3");
        }
        Result six = dig("six.service.weft", "SRV", "+tcp");
        assertThat(six.additional()).extracting(a -> a.type() + " " + a.data())
                .containsExactlyInAnyOrder("AAAA fd00::1", "AAAA fd00::2");
    }

    @Test
    void tagFilter() {
        assertThat(dig("v1.web.service.weft", "A").answerData()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        assertThat(dig("Primary.WEB.service.weft", "A").answerData()).containsExactly("10.0.0.1");
        assertThat(dig("_web._v2.service.weft", "SRV").answerData()).containsExactly("1 1 8082 0a000003.addr.weft.");
        assertThat(dig("v1.web.service.weft", "SRV").answer()).hasSize(2);
    }

    @Test
    void addrNames() {
        assertThat(dig("0a000002.addr.weft", "A").answerData()).containsExactly("10.0.0.2");
        assertThat(dig("fd000000000000000000000000000002.addr.weft", "AAAA").answerData()).containsExactly("fd00::2");
    }

    @Test
    void nxDomainWithSoa() {
        for (String name : List.of("nosuch.service.weft", "down.service.weft", "nope.web.service.weft")) {
            Result r = dig(name, "A");
            assertThat(r.status()).as(name).isEqualTo("NXDOMAIN");
            assertThat(r.flags()).contains("aa");
            assertThat(r.answer()).isEmpty();
            assertThat(r.authority()).extracting(a -> a.name() + " " + a.type()).containsExactly("weft. SOA");
            assertThat(r.authority().get(0).data()).startsWith("ns.weft. hostmaster.weft. ").endsWith(" 3600 600 86400 7");
        }
    }

    @Test
    void noData() {
        Result r = dig("web.service.weft", "AAAA");
        assertThat(r.status()).isEqualTo("NOERROR");
        assertThat(r.answer()).isEmpty();
        assertThat(r.authority()).extracting(Record::type).containsExactly("SOA");
        assertThat(dig("web.service.weft", "TXT").answer()).isEmpty();
    }

    @Test
    void refusedOutsideTheZone() {
        Result r = dig("example.com", "A");
        assertThat(r.status()).isEqualTo("REFUSED");
        assertThat(r.flags()).doesNotContain("aa");
        assertThat(r.answer()).isEmpty();
    }

    @Test
    void soaAndNsAtTheApex() {
        assertThat(dig("weft", "SOA").answer()).extracting(Record::type).containsExactly("SOA");
        Result ns = dig("weft", "NS");
        assertThat(ns.answerData()).containsExactly("ns.weft.");
        assertThat(ns.additional()).extracting(Record::data).containsExactly("127.0.0.1");
    }

    @Test
    void rotation() {
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            firsts.add(dig("web.service.weft", "A").answerData().get(0));
        }
        assertThat(firsts).hasSizeGreaterThan(1);
    }

    @Test
    void truncationOverUdpAndRetryOverTcp() {
        Result udp = dig("big.service.weft", "A", "+noedns", "+ignore");
        assertThat(udp.flags()).contains("tc");
        assertThat(udp.size()).isLessThanOrEqualTo(512);
        assertThat(udp.answer().size()).isLessThan(60);

        Result retried = dig("big.service.weft", "A", "+noedns");
        assertThat(retried.retriedOverTcp()).isTrue();
        assertThat(retried.flags()).doesNotContain("tc");
        assertThat(retried.answer()).hasSize(60);

        Result srv = dig("big.service.weft", "SRV"); // EDNS 1232 is still too small for 60 SRV + glue
        assertThat(srv.retriedOverTcp()).isTrue();
        assertThat(srv.answer()).hasSize(60);
        assertThat(srv.additional()).hasSize(60);
    }

    @Test
    void ednsBufferSizeIsHonoured() {
        Result r = dig("big.service.weft", "A", "+bufsize=1232");
        assertThat(r.flags()).doesNotContain("tc");
        assertThat(r.retriedOverTcp()).isFalse();
        assertThat(r.answer()).hasSize(60);
        assertThat(r.size()).isGreaterThan(512).isLessThanOrEqualTo(1232);
        assertThat(r.output()).contains("; EDNS: version: 0").contains("udp: 1232");
    }

    @Test
    void tcpPipelining() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            List<byte[]> queries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                queries.add(DnsMessages.query(100 + i, i % 2 == 0 ? "web.service.weft" : "big.service.weft", 1, false, -1));
            }
            byte[] all = new byte[0];
            for (byte[] q : queries) {
                all = DnsResponderTest.concat(all, new byte[] {(byte) (q.length >> 8), (byte) q.length}, q);
            }
            out.write(all); // every query in one segment
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < 20; i++) {
                byte[] response = new byte[in.readUnsignedShort()];
                in.readFully(response);
                DnsMessages.Message m = DnsMessages.decode(response);
                assertThat(m.id()).isEqualTo(100 + i);
                assertThat(m.answers()).hasSize(i % 2 == 0 ? 3 : 60);
            }
        }
    }

    @Test
    void tcpIdleTimeoutAndConnectionCap() throws IOException {
        DnsConfig config = new DnsConfig(InetAddress.getLoopbackAddress(), 0, "weft", Duration.ofSeconds(5),
                Duration.ofSeconds(5), 1, 2, Duration.ofMillis(300));
        try (DnsServer small = DnsServer.start(config, catalog);
                Socket a = connect(small.port());
                Socket b = connect(small.port());
                Socket c = connect(small.port())) {
            assertThat(c.getInputStream().read()).as("third connection closed").isEqualTo(-1);
            long start = System.nanoTime();
            assertThat(a.getInputStream().read()).as("idle connection closed").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(Dig.query(small.port(), "+tcp", "web.service.weft", "A").answer()).hasSize(3));
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

}
