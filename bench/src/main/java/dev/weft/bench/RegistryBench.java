package dev.weft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Registry benchmark, as a client sees it, against a running control plane:
 *
 * <ol>
 *   <li>registers N instances across S services through the native HTTP API, with C requests in
 *       flight, and prints the time and rate;</li>
 *   <li>parks W blocking queries on one service, makes one change, and measures for each watcher
 *       the time from the write being sent to its blocking query returning (p50, p99, max), over
 *       several rounds.</li>
 * </ol>
 *
 * Usage: {@code RegistryBench URL TOKEN [instances] [services] [inflight] [watchers] [rounds]}
 */
public final class RegistryBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        int instances = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int services = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int inflight = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int watchers = args.length > 5 ? Integer.parseInt(args[5]) : 1_000;
        int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 10;

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        register(client, base, token, instances, services, inflight);
        watch(client, base, token, watchers, rounds);
    }

    private static void register(HttpClient client, String base, String token, int instances, int services, int inflight)
            throws Exception {
        Semaphore permits = new Semaphore(inflight);
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>(instances);
        long start = System.nanoTime();
        for (int i = 0; i < instances; i++) {
            permits.acquire();
            String service = "svc-" + (i % services);
            String body = "{\"address\":\"10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255)
                    + "\",\"port\":8080,\"tags\":[\"v1\"],\"zone\":\"zone-" + (i % 3)
                    + "\",\"checks\":[{\"id\":\"inst-" + i + "-ttl\",\"type\":\"ttl\",\"ttl\":\"1h\",\"status\":\"passing\"}]}";
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/services/" + service + "/instances/inst-" + i))
                    .header("X-Weft-Token", token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
            all.add(client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                permits.release();
                if (e != null || r.statusCode() != 200) {
                    failures.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("register: %d instances across %d services, %d in flight: %.1f s, %.0f registrations/s, %d failed%n",
                instances, services, inflight, seconds, instances / seconds, failures.get());
    }

    private static void watch(HttpClient client, String base, String token, int watchers, int rounds) throws Exception {
        String service = "watched";
        String url = base + "/api/v1/services/" + service + "/instances";
        put(client, base, token, service, "watched-0");
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int round = 1; round <= rounds; round++) {
            long index = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("index").asLong();
            List<CompletableFuture<Long>> returned = new ArrayList<>(watchers);
            for (int w = 0; w < watchers; w++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url + "?index=" + index + "&wait=60s"))
                        .timeout(Duration.ofSeconds(90)).build();
                returned.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    long now = System.nanoTime();
                    JsonNode body = parse(r.body());
                    return body.path("index").asLong() > index ? now : -1L;
                }));
            }
            // Let every watcher reach the server and park before the change.
            Thread.sleep(1500);
            long sent = System.nanoTime();
            put(client, base, token, service, "watched-" + round);
            int missed = 0;
            for (CompletableFuture<Long> f : returned) {
                long at = f.get(90, TimeUnit.SECONDS);
                if (at < 0) {
                    missed++;
                } else {
                    latency.recordValue(Math.max(0, at - sent));
                }
            }
            if (missed > 0) {
                System.out.printf("watch round %d: %d watchers returned without the change%n", round, missed);
            }
        }
        System.out.printf("watch: %d watchers x %d rounds, write sent -> watcher answered: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                watchers, rounds, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                latency.getMaxValue() / 1e6);
    }

    private static void put(HttpClient client, String base, String token, String service, String id) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/services/" + service + "/instances/" + id))
                .header("X-Weft-Token", token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"127.0.0.1\",\"port\":9000}")).build();
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("registration failed: " + r.statusCode() + " " + r.body());
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
