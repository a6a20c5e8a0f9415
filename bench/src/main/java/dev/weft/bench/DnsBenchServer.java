package dev.weft.bench;

import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.controlplane.dns.DnsConfig;
import dev.weft.controlplane.dns.DnsServer;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * Serves N services of M instances each over Weft's DNS server, and writes the same records as
 * unbound {@code local-data} lines plus a dnsperf query file, so that both servers answer the same
 * zone. Used by bench/dns/dnsperf.sh.
 *
 * <p>Arguments: {@code --port P --services N --instances M --threads T --queries Q --out DIR}.
 */
public final class DnsBenchServer {
    private static final int TTL = 5;

    private DnsBenchServer() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> opts = new java.util.HashMap<>(Map.of(
                "--port", "0", "--services", "1000", "--instances", "3", "--threads", "1", "--queries", "100000"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        int services = Integer.parseInt(opts.get("--services"));
        int instances = Integer.parseInt(opts.get("--instances"));
        List<ServiceEntry> entries = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            List<InstanceEntry> list = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                Instance inst = new Instance(name(s), name(s) + "-" + i, address(s, i), 8000 + i, 0, List.of(), Map.of(), "", 1);
                list.add(new InstanceEntry(inst, List.of(), HealthStatus.PASSING, 1, 1));
            }
            entries.add(ServiceEntry.of(name(s), list, 1));
        }
        if (opts.containsKey("--out")) {
            write(Path.of(opts.get("--out")), services, instances, Integer.parseInt(opts.get("--queries")));
        }
        DnsConfig config = new DnsConfig(InetAddress.getLoopbackAddress(), Integer.parseInt(opts.get("--port")), "weft",
                Duration.ofSeconds(TTL), Duration.ofSeconds(TTL), Integer.parseInt(opts.get("--threads")),
                DnsConfig.DEFAULT_MAX_TCP_CONNECTIONS, DnsConfig.DEFAULT_TCP_IDLE_TIMEOUT);
        DnsServer server = DnsServer.start(config, new StaticCatalog(entries, 1));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        System.out.println("READY " + server.port());
        System.out.flush();
        stop.await();
    }

    static String name(int s) {
        return "svc" + s;
    }

    static String address(int s, int i) {
        return "10." + (s >> 8 & 0xFF) + "." + (s & 0xFF) + "." + (i + 1);
    }

    private static String hex(String dotted) {
        StringBuilder b = new StringBuilder();
        for (String part : dotted.split("\\.")) {
            b.append(String.format("%02x", Integer.parseInt(part)));
        }
        return b.toString();
    }

    /** unbound-records.conf (local-data for A, both SRV names, and the .addr targets) and queries.txt. */
    private static void write(Path dir, int services, int instances, int queries) throws IOException {
        Files.createDirectories(dir);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("unbound-records.conf"), StandardCharsets.US_ASCII))) {
            w.println("local-zone: \"weft.\" static");
            w.println("local-data: \"weft. " + TTL + " IN SOA ns.weft. hostmaster.weft. 1 3600 600 86400 " + TTL + "\"");
            for (int s = 0; s < services; s++) {
                for (int i = 0; i < instances; i++) {
                    String a = address(s, i);
                    String target = hex(a) + ".addr.weft.";
                    w.println("local-data: \"" + name(s) + ".service.weft. " + TTL + " IN A " + a + "\"");
                    w.println("local-data: \"" + name(s) + ".service.weft. " + TTL + " IN SRV 1 1 " + (8000 + i) + " " + target + "\"");
                    w.println("local-data: \"_" + name(s) + "._tcp.service.weft. " + TTL + " IN SRV 1 1 " + (8000 + i) + " " + target + "\"");
                    w.println("local-data: \"" + target + " " + TTL + " IN A " + a + "\"");
                }
            }
        }
        Random rnd = new Random(42);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("queries.txt"), StandardCharsets.US_ASCII))) {
            for (int q = 0; q < queries; q++) {
                int s = rnd.nextInt(services);
                switch (rnd.nextInt(3)) {
                    case 0 -> w.println(name(s) + ".service.weft A");
                    case 1 -> w.println(name(s) + ".service.weft SRV");
                    default -> w.println("_" + name(s) + "._tcp.service.weft SRV");
                }
            }
        }
    }
}
