package dev.weft.bench.jmh;

import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A request's route lookup as DownstreamHandler does it: {@link RouteTable#match} on the authority,
 * then {@link VirtualHost#match} on the path. 50 services, each with the domains the control plane
 * gives it ({@code name} and {@code name.service.weft}) and three prefix routes; requests cycle over
 * 1,024 precomputed (authority, path) pairs spread over all services and routes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchBenchmark {
    static final int SERVICES = 50;
    private static final int MASK = 1023;
    private static final String[] PATHS = {"/api/v2/orders/17", "/api/v1/items/42?lang=en", "/healthz", "/"};

    /** name: {@code Host: service-7}; name-port: {@code Host: service-7:8080}, as clients send for a non-default port. */
    @Param({"name", "name-port"})
    public String authority;

    private RouteTable table;
    private final String[] authorities = new String[MASK + 1];
    private final String[] paths = new String[MASK + 1];
    private int next;

    @Setup
    public void setup() {
        List<VirtualHost> hosts = new ArrayList<>();
        for (int s = 0; s < SERVICES; s++) {
            String name = "service-" + s;
            hosts.add(new VirtualHost(name, List.of(name, name + ".service.weft"), List.of(
                    new Route("/api/v2/", name + "-v2", Duration.ofSeconds(15)),
                    new Route("/api/", name, Duration.ofSeconds(15)),
                    new Route("/", name + "-web", Duration.ofSeconds(15)))));
        }
        table = new RouteTable("outbound", hosts);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i <= MASK; i++) {
            String name = "service-" + random.nextInt(SERVICES);
            authorities[i] = authority.equals("name") ? name : name + ":8080";
            paths[i] = PATHS[random.nextInt(PATHS.length)];
        }
        for (int i = 0; i <= MASK; i++) {
            if (match() == null) {
                throw new IllegalStateException("no route for " + authorities[i] + paths[i]);
            }
        }
    }

    @Benchmark
    public Route match() {
        int i = next++ & MASK;
        VirtualHost vh = table.match(authorities[i]);
        return vh == null ? null : vh.match(paths[i]);
    }
}
