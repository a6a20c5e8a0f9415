package dev.weft.controlplane.dns;

import static dev.weft.controlplane.dns.DnsMessages.decode;
import static dev.weft.controlplane.dns.DnsMessages.query;
import static dev.weft.controlplane.dns.InMemoryCatalog.passing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.api.ValidationException;
import dev.weft.api.registry.HealthStatus;
import dev.weft.controlplane.dns.DnsMessages.Message;
import dev.weft.controlplane.dns.DnsMessages.Rr;
import dev.weft.controlplane.registry.InstanceEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parser and the response writer on byte arrays, without sockets. */
class DnsResponderTest {
    private static final int A = 1, NS = 2, SOA = 6, AAAA = 28, SRV = 33, ANY = 255, TXT = 16;

    private final InMemoryCatalog catalog = new InMemoryCatalog()
            .put("web",
                    passing("web", "web-1", "10.0.0.1", 8080, "primary", "v1"),
                    passing("web", "web-2", "10.0.0.2", 8081, "v1"),
                    passing("web", "web-3", "10.0.0.3", 8082, "v2"),
                    InMemoryCatalog.instance("web", "web-4", "10.0.0.4", 8083, HealthStatus.CRITICAL, "v1"))
            .put("mixed", passing("mixed", "m-1", "10.1.0.1", 9000), passing("mixed", "m-2", "fd00::1", 9001))
            .put("down", InMemoryCatalog.instance("down", "d-1", "10.3.0.1", 1, HealthStatus.CRITICAL))
            .put("warn", InMemoryCatalog.instance("warn", "w-1", "10.4.0.1", 1, HealthStatus.WARNING))
            .put("dup", passing("dup", "a", "10.5.0.1", 80), passing("dup", "b", "10.5.0.1", 80),
                    passing("dup", "c", "10.5.0.1", 81))
            .put("big", bigService(60));
    private final DnsResponder responder = new DnsResponder(
            new DnsConfig(InetAddress.getLoopbackAddress(), 0, "weft", Duration.ofSeconds(7),
                    Duration.ofSeconds(3), 1, 10, Duration.ofSeconds(10)),
            catalog);

    static InstanceEntry[] bigService(int n) {
        InstanceEntry[] out = new InstanceEntry[n];
        for (int i = 0; i < n; i++) {
            out[i] = passing("big", "big-" + i, "10.2." + (i / 250) + "." + (i % 250 + 1), 7000 + i);
        }
        return out;
    }

    private Message ask(String name, int type) {
        return ask(query(0x1234, name, type, true, -1), true);
    }

    private Message ask(byte[] query, boolean udp) {
        ByteBuf out = responder.answer(Unpooled.wrappedBuffer(query), UnpooledByteBufAllocator.DEFAULT, udp);
        assertThat(out).as("response").isNotNull();
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        if (!udp) {
            assertThat(((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF)).isEqualTo(bytes.length - 2);
            bytes = Arrays.copyOfRange(bytes, 2, bytes.length);
        }
        return decode(bytes);
    }

    private static List<String> texts(List<Rr> rrs) {
        return rrs.stream().map(Rr::text).toList();
    }

    // ---- parser -----------------------------------------------------------------------------

    @Test
    void parsesQueryWithEdnsAndKeepsTheNamesCase() throws Exception {
        byte[] q = query(7, "WeB.Service.WEFT", SRV, true, 4096);
        DnsQuery parsed = DnsQueryParser.parse(Unpooled.wrappedBuffer(q));
        assertThat(parsed.id()).isEqualTo(7);
        assertThat(parsed.name()).isEqualTo("web.service.weft");
        assertThat(parsed.wireName()).isEqualTo(DnsMessages.wireName("WeB.Service.WEFT"));
        assertThat(parsed.qtype()).isEqualTo(SRV);
        assertThat(parsed.udpPayloadSize()).isEqualTo(4096);
        assertThat(parsed.udpLimit()).isEqualTo(1232);
        assertThat(DnsQueryParser.parse(Unpooled.wrappedBuffer(query(7, "a", A, true, 100))).udpLimit()).isEqualTo(512);
        assertThat(DnsQueryParser.parse(Unpooled.wrappedBuffer(query(7, "a", A, true, -1))).udpLimit()).isEqualTo(512);
    }

    @Test
    void dropsShortPacketsAndResponses() throws Exception {
        byte[] q = query(7, "web.service.weft", A, true, -1);
        assertThat(DnsQueryParser.parse(Unpooled.wrappedBuffer(q, 0, 11))).isNull();
        q[2] |= (byte) 0x80;
        assertThat(DnsQueryParser.parse(Unpooled.wrappedBuffer(q))).isNull();
        assertThat(responder.answer(Unpooled.wrappedBuffer(q), UnpooledByteBufAllocator.DEFAULT, true)).isNull();
    }

    @Test
    void everyTruncationOfAValidQueryIsFormErrWithTheIdEchoed() {
        byte[] q = query(0xBEEF, "_web._tcp.service.weft", SRV, true, 1232);
        for (int len = 12; len < q.length; len++) {
            Message m = ask(Arrays.copyOf(q, len), true);
            assertThat(m.rcode()).as("length %d", len).isEqualTo(1);
            assertThat(m.id()).isEqualTo(0xBEEF);
            assertThat(m.questions()).isEmpty();
            assertThat(m.flag(0x0100)).as("RD echoed").isTrue();
        }
    }

    @Test
    void malformedNamesAreFormErr() {
        byte[] header = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        List<byte[]> names = List.of(
                new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1},                  // pointer to itself
                new byte[] {1, 'a', (byte) 0xC0, 12, 0, 1, 0, 1},          // pointer back to its own start: loop
                new byte[] {(byte) 0xC0, 2, 0, 1, 0, 1},                   // pointer into the header
                new byte[] {(byte) 0xC0, 20, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1}, // forward pointer
                new byte[] {64, 'a', 0, 0, 1, 0, 1},                       // 0x40 label type
                new byte[] {(byte) 0x80, 'a', 0, 0, 1, 0, 1},              // 0x80 label type
                new byte[] {5, 'a', 'b'},                                  // label past the end
                new byte[] {(byte) 0xC0});                                 // half a pointer
        for (byte[] name : names) {
            byte[] q = concat(header, name);
            assertThat(ask(q, true).rcode()).as(Arrays.toString(name)).isEqualTo(1);
        }
        // 256 bytes of name: four 63-byte labels and a 3-byte one, plus the root.
        byte[] longName = new byte[4 * 64 + 4 + 1];
        for (int i = 0; i < 4; i++) {
            longName[i * 64] = 63;
            Arrays.fill(longName, i * 64 + 1, i * 64 + 64, (byte) 'a');
        }
        longName[256] = 3;
        Arrays.fill(longName, 257, 260, (byte) 'b');
        assertThat(ask(concat(header, longName, new byte[] {0, 1, 0, 1}), true).rcode()).isEqualTo(1);
        // 255 bytes is the limit and is fine (and outside the zone).
        byte[] ok = new byte[255];
        for (int i = 0; i < 3; i++) {
            ok[i * 64] = 63;
            Arrays.fill(ok, i * 64 + 1, i * 64 + 64, (byte) 'a');
        }
        ok[192] = 61;
        Arrays.fill(ok, 193, 254, (byte) 'a');
        ok[254] = 0;
        assertThat(ask(concat(header, ok, new byte[] {0, 1, 0, 1}), true).rcode()).isEqualTo(5);
    }

    @Test
    void backwardPointerIntoAnEarlierNameIsFollowed() throws Exception {
        // Question name is a pointer into the OPT owner? Not possible: the question comes first.
        // Instead: the OPT owner points at the question's root label, a legal backward pointer.
        byte[] q = query(9, "web.service.weft", A, false, -1);
        byte[] opt = {(byte) 0xC0, (byte) (q.length - 5), 0, 41, 16, 0, 0, 0, 0, 0, 0, 0};
        byte[] withOpt = concat(q, opt);
        withOpt[11] = 1;
        DnsQuery parsed = DnsQueryParser.parse(Unpooled.wrappedBuffer(withOpt));
        assertThat(parsed.udpPayloadSize()).isEqualTo(4096);
    }

    @Test
    void wrongCountsAndTrailingBytesAreFormErr() {
        byte[] q = query(3, "web.service.weft", A, true, -1);
        for (int[] counts : new int[][] {{0, 0, 0, 0}, {2, 0, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 0}, {1, 0, 0, 1}, {1, 0, 0, 2}}) {
            byte[] c = q.clone();
            for (int i = 0; i < 4; i++) {
                c[5 + 2 * i] = (byte) counts[i];
            }
            assertThat(ask(c, true).rcode()).as(Arrays.toString(counts)).isEqualTo(1);
        }
        assertThat(ask(concat(q, new byte[] {0}), true).rcode()).isEqualTo(1);
        byte[] badOption = query(3, "web.service.weft", A, true, 1232);
        badOption[badOption.length - 1] = 3; // RDLENGTH 3, no data
        assertThat(ask(badOption, true).rcode()).isEqualTo(1);
    }

    @Test
    void opcodeOtherThanQueryIsNotImp() {
        byte[] q = query(3, "web.service.weft", A, true, -1);
        q[2] |= 2 << 3; // STATUS
        Message m = ask(q, true);
        assertThat(m.rcode()).isEqualTo(4);
        assertThat((m.flags() >> 11) & 0xF).isEqualTo(2);
    }

    @Test
    void unknownEdnsVersionIsBadVers() {
        byte[] q = query(3, "web.service.weft", A, true, 1232);
        q[q.length - 5] = 1; // version byte of the OPT TTL
        Message m = ask(q, true);
        assertThat(m.rcode()).isZero();
        assertThat(m.answers()).isEmpty();
        Rr opt = m.additional().get(0);
        assertThat(opt.type()).isEqualTo(41);
        assertThat(opt.ttl() >>> 24).as("extended RCODE 16 >> 4").isEqualTo(1);
        assertThat((opt.ttl() >>> 16) & 0xFF).as("version").isZero();
    }

    // ---- answers ------------------------------------------------------------------------------

    @Test
    void aRecordsOfHealthyInstancesRotated() {
        Message m = ask("web.service.weft", A);
        assertThat(m.rcode()).isZero();
        assertThat(m.flag(0x0400)).as("AA").isTrue();
        assertThat(m.flag(0x0080)).as("RA").isFalse();
        assertThat(m.flag(0x0100)).as("RD echoed").isTrue();
        assertThat(m.id()).isEqualTo(0x1234);
        assertThat(m.questions()).containsExactly("web.service.weft. 1");
        assertThat(texts(m.answers())).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(m.answers()).allSatisfy(rr -> assertThat(rr.ttl()).isEqualTo(7));
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            firsts.add(ask("web.service.weft", A).answers().get(0).text());
        }
        assertThat(firsts).hasSize(3);
    }

    @Test
    void namesAreCaseInsensitiveAndTheQuestionIsEchoedAsAsked() {
        Message m = ask("WEB.Service.Weft", A);
        assertThat(m.questions()).containsExactly("WEB.Service.Weft. 1");
        assertThat(m.answers()).hasSize(3);
    }

    @Test
    void familiesAndNoData() {
        assertThat(texts(ask("mixed.service.weft", A).answers())).containsExactly("10.1.0.1");
        assertThat(texts(ask("mixed.service.weft", AAAA).answers())).containsExactly("fd00:0:0:0:0:0:0:1");
        assertThat(texts(ask("mixed.service.weft", ANY).answers())).containsExactlyInAnyOrder("10.1.0.1", "fd00:0:0:0:0:0:0:1");
        Message noAaaa = ask("web.service.weft", AAAA);
        assertThat(noAaaa.rcode()).isZero();
        assertThat(noAaaa.answers()).isEmpty();
        assertThat(noAaaa.authority()).extracting(Rr::type).containsExactly(SOA);
        Message txt = ask("web.service.weft", TXT);
        assertThat(txt.rcode()).isZero();
        assertThat(txt.answers()).isEmpty();
        assertThat(txt.authority()).hasSize(1);
    }

    @Test
    void srvRecordsWithAddressTargetsAndGlue() {
        for (String name : List.of("web.service.weft", "_web._tcp.service.weft")) {
            Message m = ask(name, SRV);
            assertThat(texts(m.answers())).containsExactlyInAnyOrder(
                    "1 1 8080 0a000001.addr.weft.", "1 1 8081 0a000002.addr.weft.", "1 1 8082 0a000003.addr.weft.");
            assertThat(m.additional()).extracting(rr -> rr.name() + " " + rr.text()).containsExactlyInAnyOrder(
                    "0a000001.addr.weft. 10.0.0.1", "0a000002.addr.weft. 10.0.0.2", "0a000003.addr.weft. 10.0.0.3");
        }
        Message v6 = ask("mixed.service.weft", SRV);
        assertThat(texts(v6.answers())).containsExactlyInAnyOrder(
                "1 1 9000 0a010001.addr.weft.", "1 1 9001 fd000000000000000000000000000001.addr.weft.");
        assertThat(v6.additional()).hasSize(2);
    }

    @Test
    void srvWeightAndDuplicates() {
        catalog.put("weighted", InMemoryCatalog.weighted("weighted", "x", "10.6.0.1", 80, 10_000, HealthStatus.PASSING));
        assertThat(texts(ask("weighted.service.weft", SRV).answers())).containsExactly("1 10000 80 0a060001.addr.weft.");
        Message dup = ask("dup.service.weft", SRV);
        assertThat(texts(dup.answers())).containsExactlyInAnyOrder("1 1 80 0a050001.addr.weft.", "1 1 81 0a050001.addr.weft.");
        assertThat(dup.additional()).hasSize(1);
        assertThat(texts(ask("dup.service.weft", A).answers())).containsExactly("10.5.0.1");
    }

    @Test
    void tagFilters() {
        assertThat(texts(ask("v1.web.service.weft", A).answers())).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        assertThat(texts(ask("PRIMARY.web.service.weft", A).answers())).containsExactly("10.0.0.1");
        assertThat(texts(ask("_web._v2.service.weft", SRV).answers())).containsExactly("1 1 8082 0a000003.addr.weft.");
        assertThat(ask("nosuchtag.web.service.weft", A).rcode()).isEqualTo(3);
    }

    @Test
    void addrNames() {
        assertThat(texts(ask("0a000001.addr.weft", A).answers())).containsExactly("10.0.0.1");
        assertThat(texts(ask("FD000000000000000000000000000001.addr.weft", AAAA).answers()))
                .containsExactly("fd00:0:0:0:0:0:0:1");
        assertThat(ask("0a000001.addr.weft", AAAA).answers()).isEmpty();
        assertThat(ask("0a000001.addr.weft", AAAA).rcode()).isZero();
        assertThat(ask("0a00001.addr.weft", A).rcode()).isEqualTo(3);
        assertThat(ask("0a00000g.addr.weft", A).rcode()).isEqualTo(3);
    }

    @Test
    void nxDomainWithSoa() {
        catalog.put("zz", passing("zz", "z", "10.9.9.9", 1));
        long index = catalog.index();
        for (String name : List.of("nosuch.service.weft", "down.service.weft", "x.y.web.service.weft", "foo.weft")) {
            Message m = ask(name, A);
            assertThat(m.rcode()).as(name).isEqualTo(3);
            assertThat(m.flag(0x0400)).isTrue();
            assertThat(m.answers()).isEmpty();
            assertThat(m.authority()).hasSize(1);
            Rr soa = m.authority().get(0);
            assertThat(soa.name()).isEqualTo("weft.");
            assertThat(soa.ttl()).isEqualTo(3);
            assertThat(soa.text()).isEqualTo("ns.weft. hostmaster.weft. " + index + " 3600 600 86400 3");
        }
    }

    @Test
    void warningInstancesAreServed() {
        assertThat(texts(ask("warn.service.weft", A).answers())).containsExactly("10.4.0.1");
    }

    @Test
    void refusedOutsideTheZoneAndForOtherClasses() {
        for (String name : List.of("example.com", "weftx", "", "xweft")) {
            Message m = ask(name, A);
            assertThat(m.rcode()).as(name).isEqualTo(5);
            assertThat(m.flag(0x0400)).isFalse();
            assertThat(m.answers()).isEmpty();
            assertThat(m.authority()).isEmpty();
        }
        byte[] chaos = query(1, "web.service.weft", A, false, -1);
        chaos[chaos.length - 1] = 3;
        assertThat(ask(chaos, true).rcode()).isEqualTo(5);
        assertThat(ask("web.service.weft", 252).rcode()).isEqualTo(5);
    }

    @Test
    void apexSoaAndNs() {
        Message soa = ask("weft", SOA);
        assertThat(soa.answers()).extracting(Rr::type).containsExactly(SOA);
        assertThat(soa.answers().get(0).ttl()).isEqualTo(7);
        Message ns = ask("weft", NS);
        assertThat(texts(ns.answers())).containsExactly("ns.weft.");
        assertThat(ns.additional()).extracting(rr -> rr.name() + " " + rr.text()).containsExactly("ns.weft. 127.0.0.1");
        assertThat(texts(ask("ns.weft", A).answers())).containsExactly("127.0.0.1");
        assertThat(ask("service.weft", A).rcode()).isZero();
        assertThat(ask("weft", A).authority()).hasSize(1);
    }

    @Test
    void truncationWithoutEdnsAndFullAnswersWithEdnsAndTcp() {
        Message udp = ask("big.service.weft", A);
        assertThat(udp.flag(0x0200)).as("TC").isTrue();
        assertThat(udp.length()).isLessThanOrEqualTo(512);
        assertThat(udp.answers()).hasSizeBetween(1, 59);
        Message srv = ask("big.service.weft", SRV);
        assertThat(srv.flag(0x0200)).isTrue();
        assertThat(srv.length()).isLessThanOrEqualTo(512);
        assertThat(srv.additional()).isEmpty();

        Message edns = ask(query(1, "big.service.weft", A, false, 1232), true);
        assertThat(edns.flag(0x0200)).isFalse();
        assertThat(edns.answers()).hasSize(60);
        assertThat(edns.length()).isGreaterThan(512).isLessThanOrEqualTo(1232);
        assertThat(edns.additional()).extracting(Rr::type).containsExactly(41);

        Message tcp = ask(query(1, "big.service.weft", SRV, false, -1), false);
        assertThat(tcp.flag(0x0200)).isFalse();
        assertThat(tcp.answers()).hasSize(60);
        assertThat(tcp.additional()).hasSize(60);
    }

    @Test
    void hugeTcpAnswersStayWithinOneMessageAndPointerReach() {
        catalog.put("huge", bigServiceNamed("huge", 3000));
        Message tcp = ask(query(1, "huge.service.weft", SRV, false, -1), false);
        assertThat(tcp.length()).isLessThanOrEqualTo(65535);
        assertThat(tcp.flag(0x0200)).isTrue(); // 3000 SRV records do not fit in 64 KiB
        Message a = ask(query(1, "huge.service.weft", A, false, -1), false);
        assertThat(a.answers()).hasSize(3000);
        catalog.put("large", bigServiceNamed("large", 1500));
        Message large = ask(query(1, "large.service.weft", SRV, false, -1), false);
        assertThat(large.flag(0x0200)).isFalse();
        assertThat(large.answers()).hasSize(1500);
        assertThat(large.additional()).allSatisfy(rr -> assertThat(rr.name()).endsWith(".addr.weft."));
        assertThat(large.additional().size()).isGreaterThan(1000);
    }

    private static InstanceEntry[] bigServiceNamed(String service, int n) {
        InstanceEntry[] out = new InstanceEntry[n];
        for (int i = 0; i < n; i++) {
            out[i] = passing(service, service + "-" + i, "10.20." + (i / 250) + "." + (i % 250 + 1), 7000);
        }
        return out;
    }

    @Test
    void servfailWhenTheCatalogFails() {
        DnsResponder failing = new DnsResponder(DnsConfig.defaults(), new InMemoryCatalog() {
            @Override
            public java.util.Optional<dev.weft.controlplane.registry.ServiceEntry> service(String name) {
                throw new IllegalStateException("boom");
            }
        });
        ByteBuf out = failing.answer(Unpooled.wrappedBuffer(query(5, "web.service.weft", A, true, -1)),
                UnpooledByteBufAllocator.DEFAULT, true);
        Message m = decode(ByteBufUtil.getBytes(out));
        out.release();
        assertThat(m.rcode()).isEqualTo(2);
        assertThat(m.questions()).hasSize(1);
    }

    @Test
    void changesInTheCatalogAreSeen() {
        catalog.put("moving", passing("moving", "a", "10.7.0.1", 1));
        assertThat(texts(ask("moving.service.weft", A).answers())).containsExactly("10.7.0.1");
        catalog.put("moving", passing("moving", "b", "10.7.0.2", 1));
        assertThat(texts(ask("moving.service.weft", A).answers())).containsExactly("10.7.0.2");
        catalog.remove("moving");
        assertThat(ask("moving.service.weft", A).rcode()).isEqualTo(3);
    }

    // ---- config -------------------------------------------------------------------------------

    @Test
    void configValidation() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        assertThat(new DnsConfig(lo, 0, "DC1.Weft.", Duration.ofSeconds(5)).domain()).isEqualTo("dc1.weft");
        assertThat(new DnsConfig(lo, 0, "weft", Duration.ofSeconds(5)).negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> new DnsConfig(lo, 70000, "weft", Duration.ofSeconds(5)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("dns.port");
        assertThatThrownBy(() -> new DnsConfig(lo, 0, "we_ft", Duration.ofSeconds(5)))
                .hasMessageContaining("dns.domain");
        assertThatThrownBy(() -> new DnsConfig(lo, 0, "a..b", Duration.ofSeconds(5))).hasMessageContaining("dns.domain");
        assertThatThrownBy(() -> new DnsConfig(lo, 0, "weft", Duration.ofMillis(1500))).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> new DnsConfig(lo, 0, "weft", Duration.ofSeconds(-1))).hasMessageContaining("dns.ttl");
        assertThatThrownBy(() -> new DnsConfig(null, 0, "weft", Duration.ofSeconds(1))).hasMessageContaining("bindAddress");
        assertThatThrownBy(() -> new DnsConfig(lo, 0, "weft", Duration.ZERO, null, 0, 1, Duration.ofSeconds(1)))
                .hasMessageContaining("dns.ioThreads");
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
