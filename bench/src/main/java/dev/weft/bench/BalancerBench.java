package dev.weft.bench;

import com.sun.net.httpserver.HttpServer;
import dev.weft.proxy.Sidecar;
import dev.weft.proxy.SidecarOptions;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * One of three backends is slow: how much of the tail does each balancer keep away from it?
 * Three real HTTP backends (one answers after {@code slowMillis}, two at once), one real sidecar
 * with a cluster per algorithm over the same three endpoints, and the fixed-rate generator sending
 * the same load through each cluster in turn, in one run.
 *
 * <p>Usage: {@code BalancerBench [rate] [seconds] [rounds] [slowMillis]} (default 1000 10 3 20).
 */
public final class BalancerBench {
    /** Enough connections that a request stuck on the slow backend does not hold up the schedule. */
    private static final int CONNECTIONS = 64;

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int slowMillis = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        // The JDK server leaves Nagle on by default: headers and body would wait 40 ms for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<HttpServer> backends = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int delay = i == 2 ? slowMillis : 0;
            HttpServer s = HttpServer.create(new InetSocketAddress(lo, 0), 256);
            byte[] body = new byte[1024];
            s.createContext("/", ex -> {
                if (delay > 0) {
                    try {
                        Thread.sleep(delay); // the slow backend: a GC pause, a cold cache, a noisy neighbour
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            s.setExecutor(Executors.newFixedThreadPool(64));
            s.start();
            backends.add(s);
            endpoints.add(new Endpoint(s.getAddress(), EndpointHealth.HEALTHY, 1, "", false, "backend-" + i + (delay > 0 ? "-slow" : "")));
        }
        Sidecar sidecar = Sidecar.start(SidecarOptions.defaults().withBindAddress(lo).withPorts(0, 0, 0).withEventLoopThreads(1));
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
        List<VirtualHost> hosts = new ArrayList<>();
        for (LbPolicy p : List.of(LbPolicy.ROUND_ROBIN, LbPolicy.RANDOM, LbPolicy.LEAST_REQUEST, LbPolicy.PEAK_EWMA)) {
            String name = p.name().toLowerCase().replace('_', '-');
            clusters.put(name, new ClusterConfig(name, p, Duration.ofSeconds(1), Duration.ofSeconds(60), 0, endpoints));
            hosts.add(new VirtualHost(name, List.of(name), List.of(new Route("/", name, Duration.ofSeconds(15)))));
        }
        sidecar.apply(new ProxyConfig("bench", clusters,
                new ListenerSpec("weft-outbound", new InetSocketAddress(lo, sidecar.outboundPort()), new RouteTable("weft-outbound", hosts)),
                null));
        URI url = URI.create("http://127.0.0.1:" + sidecar.outboundPort() + "/");
        System.out.printf("date: %s, %d cores, %s; 3 backends, one %d ms slower; %.0f rps, " + CONNECTIONS + " connections, %d s per run%n",
                java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                slowMillis, rate, seconds);
        // Warm-up: JIT and the EWMA estimates.
        for (String c : clusters.keySet()) {
            FixedRateLoad.run(url, c, rate, 1, 3, CONNECTIONS);
        }
        for (int r = 1; r <= rounds; r++) {
            for (String c : clusters.keySet()) {
                FixedRateLoad.Result res = FixedRateLoad.run(url, c, rate, 1, seconds, CONNECTIONS);
                System.out.printf("round %d %-14s %s%n", r, c, res.format());
            }
        }
        sidecar.close();
        backends.forEach(b -> b.stop(0));
        System.exit(0);
    }
}
