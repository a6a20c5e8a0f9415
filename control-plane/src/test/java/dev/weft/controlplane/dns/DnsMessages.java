package dev.weft.controlplane.dns;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds queries and decodes responses for tests, independently of the code under test. */
final class DnsMessages {
    private DnsMessages() {}

    record Rr(String name, int type, int cls, long ttl, byte[] rdata, String text) {}

    record Message(int id, int flags, int rcode, List<String> questions, List<Rr> answers, List<Rr> authority,
            List<Rr> additional, int length) {
        boolean flag(int bit) {
            return (flags & bit) != 0;
        }
    }

    static byte[] query(int id, String name, int type, boolean rd, int ednsPayload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        short16(b, id);
        short16(b, rd ? 0x0100 : 0);
        short16(b, 1);
        short16(b, 0);
        short16(b, 0);
        short16(b, ednsPayload >= 0 ? 1 : 0);
        b.writeBytes(wireName(name));
        short16(b, type);
        short16(b, 1);
        if (ednsPayload >= 0) {
            b.write(0);
            short16(b, 41);
            short16(b, ednsPayload);
            short16(b, 0);
            short16(b, 0);
            short16(b, 0);
        }
        return b.toByteArray();
    }

    static byte[] wireName(String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                byte[] l = label.getBytes(StandardCharsets.ISO_8859_1);
                b.write(l.length);
                b.writeBytes(l);
            }
        }
        b.write(0);
        return b.toByteArray();
    }

    static void short16(ByteArrayOutputStream b, int v) {
        b.write(v >>> 8);
        b.write(v & 0xFF);
    }

    static Message decode(byte[] m) {
        ByteBuffer buf = ByteBuffer.wrap(m);
        int id = buf.getShort(0) & 0xFFFF;
        int flags = buf.getShort(2) & 0xFFFF;
        int qd = buf.getShort(4) & 0xFFFF;
        int an = buf.getShort(6) & 0xFFFF;
        int ns = buf.getShort(8) & 0xFFFF;
        int ar = buf.getShort(10) & 0xFFFF;
        int[] pos = {12};
        List<String> questions = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            String name = name(m, pos);
            int type = u16(m, pos[0]);
            pos[0] += 4;
            questions.add(name + " " + type);
        }
        List<Rr> answers = records(m, pos, an);
        List<Rr> authority = records(m, pos, ns);
        List<Rr> additional = records(m, pos, ar);
        if (pos[0] != m.length) {
            throw new IllegalStateException("trailing bytes in response: " + (m.length - pos[0]));
        }
        return new Message(id, flags, flags & 0xF, questions, answers, authority, additional, m.length);
    }

    private static List<Rr> records(byte[] m, int[] pos, int count) {
        List<Rr> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = name(m, pos);
            int type = u16(m, pos[0]);
            int cls = u16(m, pos[0] + 2);
            long ttl = ((long) u16(m, pos[0] + 4) << 16) | u16(m, pos[0] + 6);
            int len = u16(m, pos[0] + 8);
            int rdStart = pos[0] + 10;
            byte[] rdata = java.util.Arrays.copyOfRange(m, rdStart, rdStart + len);
            String text;
            int[] p = {rdStart};
            switch (type) {
                case 1, 28 -> {
                    try {
                        text = java.net.InetAddress.getByAddress(rdata).getHostAddress();
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalStateException(e);
                    }
                }
                case 33 -> {
                    p[0] += 6;
                    text = u16(m, rdStart) + " " + u16(m, rdStart + 2) + " " + u16(m, rdStart + 4) + " " + name(m, p);
                }
                case 2 -> text = name(m, p);
                case 6 -> {
                    String mname = name(m, p);
                    String rname = name(m, p);
                    ByteBuffer b = ByteBuffer.wrap(m);
                    text = mname + " " + rname + " " + Integer.toUnsignedString(b.getInt(p[0])) + " " + b.getInt(p[0] + 4)
                            + " " + b.getInt(p[0] + 8) + " " + b.getInt(p[0] + 12) + " " + b.getInt(p[0] + 16);
                }
                default -> text = "";
            }
            pos[0] = rdStart + len;
            out.add(new Rr(name, type, cls, ttl, rdata, text));
        }
        return out;
    }

    private static String name(byte[] m, int[] pos) {
        StringBuilder b = new StringBuilder();
        int p = pos[0];
        int after = -1;
        for (int hops = 0; hops < 128; ) {
            int len = m[p] & 0xFF;
            if (len == 0) {
                pos[0] = after < 0 ? p + 1 : after;
                return b.length() == 0 ? "." : b.toString();
            }
            if ((len & 0xC0) == 0xC0) {
                if (after < 0) {
                    after = p + 2;
                }
                p = ((len & 0x3F) << 8) | (m[p + 1] & 0xFF);
                hops++;
                continue;
            }
            b.append(new String(m, p + 1, len, StandardCharsets.ISO_8859_1)).append('.');
            p += 1 + len;
        }
        throw new IllegalStateException("pointer loop in response");
    }

    private static int u16(byte[] m, int p) {
        return ((m[p] & 0xFF) << 8) | (m[p + 1] & 0xFF);
    }
}
