package dev.weft.demo;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steady demo traffic: {@code rate} requests per second to one service through an HTTP proxy (a
 * sidecar's outbound listener), with a summary line every ten seconds.
 */
public final class TrafficGenerator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrafficGenerator.class);

    private final ScheduledExecutorService scheduler;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private TrafficGenerator(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    public static TrafficGenerator start(InetSocketAddress proxy, String service, int rate) {
        if (rate < 1 || rate > 1000) {
            throw new IllegalArgumentException("rate must be between 1 and 1000 requests/s, was " + rate);
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-traffic");
            t.setDaemon(true);
            return t;
        });
        TrafficGenerator g = new TrafficGenerator(scheduler);
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).executor(scheduler).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + service + "/")).timeout(Duration.ofSeconds(5)).build();
        scheduler.scheduleAtFixedRate(() -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> (e == null && r.statusCode() == 200 ? g.ok : g.failed).incrementAndGet()),
                0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
        scheduler.scheduleAtFixedRate(() -> log.info("demo traffic to={} ok={} failed={}", service, g.ok.get(), g.failed.get()),
                10, 10, TimeUnit.SECONDS);
        return g;
    }

    /** Polls {@code service} through the proxy until it answers 200 or {@code timeout} passes. */
    public static boolean awaitServing(InetSocketAddress proxy, String service, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + service + "/")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
                Thread.sleep(100); // the mesh is converging: the sidecars are taking their first configuration
            } catch (java.io.IOException e) {
                // not listening yet: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    public long ok() {
        return ok.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
