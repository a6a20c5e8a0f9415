package dev.weft.controlplane.dns;

import static dev.weft.controlplane.dns.DnsResponderTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Seeded fuzzing of the parser alone, then of a running server over UDP and TCP. */
class DnsFuzzTest {
    private static final long SEED = 0x5EED_D25L;
    private static final List<byte[]> VALID = List.of(
            DnsMessages.query(1, "web.service.weft", 1, true, -1),
            DnsMessages.query(2, "_web._tcp.service.weft", 33, false, 1232),
            DnsMessages.query(3, "v1.web.service.weft", 28, true, 4096),
            DnsMessages.query(4, "0a000001.addr.weft", 1, false, 512),
            DnsMessages.query(5, "example.com", 255, true, -1),
            DnsMessages.query(6, "weft", 6, true, 1232));
    private static final byte[] HEADER = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};

    private final InMemoryCatalog catalog = new InMemoryCatalog()
            .put("web", InMemoryCatalog.passing("web", "web-1", "10.0.0.1", 8080, "v1"),
                    InMemoryCatalog.passing("web", "web-2", "fd00::2", 8081, "v1"))
            .put("big", DnsResponderTest.bigService(60));

    /** One malformed-or-not packet; every shape the brief lists, chosen at random. */
    static byte[] packet(Random rnd) {
        byte[] valid = VALID.get(rnd.nextInt(VALID.size()));
        switch (rnd.nextInt(12)) {
            case 0: // every truncation, one at a time
                return java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length));
            case 1: {
                byte[] b = new byte[rnd.nextInt(600)];
                rnd.nextBytes(b);
                return b;
            }
            case 2: { // wrong section counts
                byte[] b = valid.clone();
                for (int i = 4; i < 12; i++) {
                    if (rnd.nextBoolean()) {
                        b[i] = (byte) rnd.nextInt(rnd.nextBoolean() ? 3 : 256);
                    }
                }
                return b;
            }
            case 3: // self pointer
                return concat(HEADER, new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1});
            case 4: // two-pointer cycle
                return concat(HEADER, new byte[] {(byte) 0xC0, 14, (byte) 0xC0, 12, 0, 1, 0, 1});
            case 5: // forward pointer into later bytes
                return concat(HEADER, new byte[] {1, 'a', (byte) 0xC0, (byte) (16 + rnd.nextInt(8)), 3, 'w', 'e', 'b', 0, 0, 1, 0, 1});
            case 6: { // label running past the end
                byte[] b = concat(HEADER, new byte[] {(byte) (1 + rnd.nextInt(63)), 'a', 'b'});
                return b;
            }
            case 7: { // names over 255 bytes
                int labels = 5 + rnd.nextInt(120);
                byte[] name = new byte[labels * 3 + 1];
                for (int i = 0; i < labels; i++) {
                    name[i * 3] = 2;
                    name[i * 3 + 1] = 'a';
                    name[i * 3 + 2] = 'b';
                }
                if (labels * 3 + 1 <= 255) {
                    name = concat(new byte[] {63}, new byte[63], new byte[] {63}, new byte[63], new byte[] {63}, new byte[63], name);
                }
                return concat(HEADER, name, new byte[] {0, 1, 0, 1});
            }
            case 8: { // label lengths 64-255
                int len = 64 + rnd.nextInt(192);
                byte[] label = new byte[Math.min(len, 300)];
                label[0] = (byte) len;
                return concat(HEADER, label, new byte[] {0, 0, 1, 0, 1});
            }
            case 9: { // bit flips
                byte[] b = valid.clone();
                for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                    int bit = rnd.nextInt(b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return b;
            }
            case 10: { // random bytes after a valid header
                byte[] tail = new byte[rnd.nextInt(80)];
                rnd.nextBytes(tail);
                return concat(java.util.Arrays.copyOf(valid, 12), tail);
            }
            default:
                return valid.clone();
        }
    }

    @Test
    void parserAndWriterNeverThrowAnythingButTheParseException() {
        DnsResponder responder = new DnsResponder(DnsConfig.defaults(), catalog);
        Random rnd = new Random(SEED);
        int decoded = 0;
        for (int i = 0; i < 2_000_000; i++) {
            byte[] p = packet(rnd);
            ByteBuf in = Unpooled.wrappedBuffer(p);
            try {
                DnsQueryParser.parse(in);
            } catch (DnsParseException expected) {
                // the one exception the parser may throw
            }
            assertThat(in.readerIndex()).isZero();
            boolean udp = rnd.nextBoolean();
            ByteBuf out = responder.answer(in, UnpooledByteBufAllocator.DEFAULT, udp);
            if (out != null) {
                if (i % 16 == 0) { // a sample: the response is a well-formed message
                    byte[] bytes = ByteBufUtil.getBytes(out);
                    int skip = udp ? 0 : 2;
                    if (udp) {
                        assertThat(bytes.length).isLessThanOrEqualTo(1232);
                    }
                    DnsMessages.Message m = DnsMessages.decode(java.util.Arrays.copyOfRange(bytes, skip, bytes.length));
                    assertThat(m.flag(0x8000)).isTrue();
                    decoded++;
                }
                out.release();
            }
        }
        assertThat(decoded).isGreaterThan(10_000);
    }

    @Test
    void serverSurvivesFuzzOverUdpAndTcp() throws Exception {
        try (DnsServer server = DnsServer.start(
                new DnsConfig(InetAddress.getLoopbackAddress(), 0, "weft", Duration.ofSeconds(5)), catalog)) {
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            Random rnd = new Random(SEED + 1);
            long replies = 0;
            try (DatagramChannel udp = DatagramChannel.open()) {
                udp.configureBlocking(false);
                udp.connect(target);
                ByteBuffer sink = ByteBuffer.allocate(65536);
                for (int i = 0; i < 100_000; i++) {
                    byte[] p = packet(rnd);
                    udp.write(ByteBuffer.wrap(p));
                    // Bounded: drain replies as we go so neither side's buffers only fill.
                    if (i % 64 == 63) {
                        while (udp.read(sink.clear()) > 0) {
                            replies++;
                        }
                    }
                }
            }
            assertThat(replies).as("the server answered while being fuzzed").isGreaterThan(10_000);

            AtomicLong tcpFrames = new AtomicLong();
            Thread[] senders = new Thread[4];
            for (int c = 0; c < senders.length; c++) {
                long seed = SEED + 10 + c;
                senders[c] = new Thread(() -> tcpFuzz(target, new Random(seed), 5_000, tcpFrames));
                senders[c].start();
            }
            for (Thread t : senders) {
                t.join(30_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(tcpFrames.get()).isEqualTo(20_000);

            for (String transport : List.of("+notcp", "+tcp")) {
                Dig.Result r = Dig.query(server.port(), "web.service.weft", "A", transport);
                assertThat(r.status()).isEqualTo("NOERROR");
                assertThat(r.answerData()).containsExactly("10.0.0.1");
                assertThat(Dig.query(server.port(), "big.service.weft", "SRV", transport).answer()).hasSize(60);
            }
        }
    }

    /** Sends length-framed fuzz packets, reading replies on the side; reconnects when the server closes. */
    private static void tcpFuzz(InetSocketAddress target, Random rnd, int frames, AtomicLong sent) {
        int i = 0;
        while (i < frames) {
            try (Socket s = new Socket()) {
                s.connect(target, 2000);
                InputStream in = s.getInputStream();
                Thread drain = new Thread(() -> {
                    byte[] sink = new byte[8192];
                    try {
                        while (in.read(sink) >= 0) {
                            // discard
                        }
                    } catch (IOException closed) {
                        // the socket closed
                    }
                });
                drain.start();
                OutputStream out = s.getOutputStream();
                for (; i < frames; i++) {
                    byte[] p = packet(rnd);
                    out.write(new byte[] {(byte) (p.length >> 8), (byte) p.length});
                    out.write(p);
                    sent.incrementAndGet();
                }
                out.flush();
                s.shutdownOutput();
                drain.join(10_000);
            } catch (IOException closedByServer) {
                i++; // the frame that met the closed connection counts; go on with a new one
                sent.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
