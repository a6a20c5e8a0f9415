package dev.weft.proxy.registration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the sidecar's instance with the control plane's native HTTP API, probes the local
 * app every interval and reports the result on a TTL check, re-registers when the control plane
 * has forgotten the instance (404), and deregisters on close. Runs on its own thread and the
 * JDK HTTP client; never on an event loop. See docs/proxy-registration.md.
 */
public final class InstanceRegistrar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceRegistrar.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrarOptions options;
    private final ScheduledExecutorService executor;
    private final HttpClient http;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final Duration requestTimeout;
    private volatile boolean appHealthy;
    private volatile boolean registered;
    private volatile boolean closed;

    private InstanceRegistrar(RegistrarOptions options) {
        this.options = options;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-registrar");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(2)).build();
        this.requestTimeout = options.interval().multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                ? options.interval().multipliedBy(2) : Duration.ofSeconds(5);
    }

    /** Starts registering and probing at once; returns without waiting for the control plane. */
    public static InstanceRegistrar start(RegistrarOptions options) {
        InstanceRegistrar r = new InstanceRegistrar(options);
        log.info("registrar starting {}", options);
        r.executor.execute(r::tick);
        return r;
    }

    /** The last probe's verdict on the local app. */
    public boolean appHealthy() {
        return appHealthy;
    }

    /** Whether the control plane holds the registration as far as the registrar knows. */
    public boolean registered() {
        return registered;
    }

    /** Called with the new verdict whenever the app's health changes, on the registrar's thread. */
    public void addHealthListener(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    private void tick() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> cycle = (registered ? CompletableFuture.completedFuture(true) : register())
                .thenCompose(ok -> probe())
                .thenCompose(this::report)
                .exceptionally(e -> {
                    log.warn("registrar cycle failed service={} instance={} error={}", options.service(), options.instanceId(), e.toString());
                    return null;
                });
        cycle.whenComplete((v, e) -> {
            if (!closed) {
                executor.schedule(this::tick, options.interval().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private CompletableFuture<Boolean> register() {
        ObjectNode body = JSON.createObjectNode();
        body.put("address", options.address());
        body.put("port", options.appPort());
        if (options.meshPort() > 0) {
            body.put("mesh_port", options.meshPort());
        }
        if (!options.zone().isEmpty()) {
            body.put("zone", options.zone());
        }
        ArrayNode tags = body.putArray("tags");
        options.tags().forEach(tags::add);
        ObjectNode check = body.putArray("checks").addObject();
        check.put("id", options.checkId());
        check.put("type", "ttl");
        check.put("ttl", options.interval().multipliedBy(3).toMillis() + "ms");
        check.put("status", "critical");
        return send("PUT", instancePath(), body.toString()).thenApply(resp -> {
            if (resp.statusCode() / 100 == 2) {
                registered = true;
                log.info("registrar registered service={} instance={} mesh_port={}", options.service(), options.instanceId(), options.meshPort());
                return true;
            }
            log.warn("registrar register refused service={} instance={} status={} body={}", options.service(),
                    options.instanceId(), resp.statusCode(), resp.body());
            return false;
        });
    }

    private CompletableFuture<String> probe() {
        if (options.appHealthPath() != null) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + options.appPort() + options.appHealthPath()))
                    .timeout(options.interval()).GET().build();
            return http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                    .handle((resp, e) -> e != null ? "GET " + options.appHealthPath() + ": " + rootMessage(e)
                            : resp.statusCode() < 400 ? null : "GET " + options.appHealthPath() + ": HTTP " + resp.statusCode());
        }
        // A TCP connect blocks this thread for at most the interval; this thread does nothing else.
        return CompletableFuture.completedFuture(tcpProbe());
    }

    private String tcpProbe() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", options.appPort()), (int) options.interval().toMillis());
            return null;
        } catch (IOException e) {
            return "tcp 127.0.0.1:" + options.appPort() + ": " + e.getMessage();
        }
    }

    /** {@code failure} is null when the app is healthy. */
    private CompletableFuture<Void> report(String failure) {
        boolean healthy = failure == null;
        if (healthy != appHealthy) {
            appHealthy = healthy;
            log.info("registrar app health changed service={} instance={} healthy={}{}", options.service(),
                    options.instanceId(), healthy, healthy ? "" : " reason=\"" + failure + "\"");
            for (Consumer<Boolean> l : listeners) {
                try {
                    l.accept(healthy);
                } catch (RuntimeException e) {
                    log.warn("registrar health listener failed", e);
                }
            }
        }
        if (!registered) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("status", healthy ? "passing" : "critical");
        body.put("output", healthy ? "app healthy" : failure);
        String path = "/api/v1/checks/" + enc(options.checkId()) + "/status";
        return send("PUT", path, body.toString()).thenCompose(resp -> {
            if (resp.statusCode() == 404) {
                log.warn("registrar instance unknown to the control plane, registering again service={} instance={}",
                        options.service(), options.instanceId());
                registered = false;
                return register().thenCompose(ok -> ok ? send("PUT", path, body.toString()) : CompletableFuture.completedFuture(null))
                        .thenApply(r -> null);
            }
            if (resp.statusCode() / 100 != 2) {
                log.warn("registrar status report refused check={} status={} body={}", options.checkId(), resp.statusCode(), resp.body());
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(options.controlPlane().resolve(path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (options.token() != null) {
            b.header("X-Weft-Token", options.token());
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String instancePath() {
        return "/api/v1/services/" + enc(options.service()) + "/instances/" + enc(options.instanceId());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops probing and deregisters (waits up to the request timeout for the DELETE). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            HttpResponse<String> resp = send("DELETE", instancePath(), null).get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("registrar deregistered service={} instance={} status={}", options.service(), options.instanceId(), resp.statusCode());
        } catch (Exception e) {
            log.warn("registrar deregister failed service={} instance={} error={}", options.service(), options.instanceId(), e.toString());
        } finally {
            registered = false;
            executor.shutdownNow();
        }
    }
}
