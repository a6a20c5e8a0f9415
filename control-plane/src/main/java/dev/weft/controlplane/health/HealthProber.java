package dev.weft.controlplane.health;

import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.CheckType;
import dev.weft.api.registry.HealthStatus;
import dev.weft.controlplane.registry.Registry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active checks (HTTP and TCP) that the registry holds and reports each result back to
 * it. Probes are asynchronous: one small scheduler thread starts them, and no thread waits on a
 * socket. Each check's first probe is spread over its interval so that a restart does not probe
 * everything at once.
 */
public final class HealthProber implements Registry.CheckListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthProber.class);
    private static final int MAX_OUTPUT = 512;

    private final Registry registry;
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;
    private final Map<String, ScheduledFuture<?>> running = new ConcurrentHashMap<>();

    public HealthProber(Registry registry) {
        this.registry = registry;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-health-prober");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(scheduler)
                .build();
    }

    /** Starts probing every active check the registry has, and the ones it learns of later. */
    public HealthProber start() {
        registry.addCheckListener(this);
        return this;
    }

    @Override
    public void onCheckAdded(CheckSpec check, String instanceId) {
        if (check.type() == CheckType.TTL) {
            return;
        }
        long interval = check.interval().toMillis();
        long firstDelay = ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval, 1000)));
        ScheduledFuture<?> f = scheduler.scheduleWithFixedDelay(
                () -> probe(check), firstDelay, interval, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = running.put(check.id(), f);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void onCheckRemoved(String checkId) {
        ScheduledFuture<?> f = running.remove(checkId);
        if (f != null) {
            f.cancel(false);
        }
    }

    private void probe(CheckSpec check) {
        CompletableFuture<Result> result = check.type() == CheckType.HTTP ? probeHttp(check) : probeTcp(check);
        result.orTimeout(check.timeout().toMillis() + 50, TimeUnit.MILLISECONDS)
                .exceptionally(e -> new Result(HealthStatus.CRITICAL, describe(check, e)))
                .thenAccept(r -> registry.recordProbe(check.id(), r.status, r.output)
                        .exceptionally(e -> null)); // the check may be gone by now
    }

    private CompletableFuture<Result> probeHttp(CheckSpec check) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(check.httpUrl()))
                .timeout(check.timeout())
                .header("User-Agent", "weft-health-check")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(resp -> {
            int code = resp.statusCode();
            String body = resp.body() == null ? "" : resp.body();
            String output = "HTTP GET " + check.httpUrl() + ": " + code + " Output: "
                    + (body.length() > MAX_OUTPUT ? body.substring(0, MAX_OUTPUT) : body);
            // Consul's rule: 2xx passes, 429 Too Many Requests warns, anything else fails.
            HealthStatus status = code >= 200 && code < 300 ? HealthStatus.PASSING
                    : code == 429 ? HealthStatus.WARNING : HealthStatus.CRITICAL;
            return new Result(status, output);
        });
    }

    private CompletableFuture<Result> probeTcp(CheckSpec check) {
        String address = check.tcpAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        CompletableFuture<Result> result = new CompletableFuture<>();
        try {
            AsynchronousSocketChannel ch = AsynchronousSocketChannel.open();
            result.whenComplete((r, e) -> closeQuietly(ch));
            ch.connect(new InetSocketAddress(host, port), null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void a) {
                    result.complete(new Result(HealthStatus.PASSING, "TCP connect " + address + ": Success"));
                }

                @Override
                public void failed(Throwable e, Void a) {
                    result.complete(new Result(HealthStatus.CRITICAL, "TCP connect " + address + ": " + e));
                }
            });
        } catch (Exception e) {
            result.complete(new Result(HealthStatus.CRITICAL, "TCP connect " + address + ": " + e));
        }
        return result;
    }

    private static String describe(CheckSpec check, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String what = check.type() == CheckType.HTTP ? "HTTP GET " + check.httpUrl() : "TCP connect " + check.tcpAddress();
        if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
            return what + ": timed out after " + check.timeout().toMillis() + "ms";
        }
        return what + ": " + cause;
    }

    private static void closeQuietly(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (java.io.IOException ignored) {
            // nothing to do: the probe's result is already decided
        }
    }

    @Override
    public void close() {
        running.values().forEach(f -> f.cancel(false));
        running.clear();
        scheduler.shutdownNow();
        log.debug("health prober stopped");
    }

    private record Result(HealthStatus status, String output) {}
}
