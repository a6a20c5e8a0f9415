package dev.weft.proxy.registration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the sidecar's instance with the control plane's native HTTP API, probes the local
 * app every interval and reports the result on a TTL check, re-registers when the control plane
 * has forgotten the instance (404), and deregisters on close. Runs on its own thread, never on an
 * event loop, with blocking {@link HttpURLConnection} calls: a handful of small requests per
 * interval do not need an asynchronous client, and the JDK's {@code java.net.http} client would
 * load about 1,300 more classes (it initialises TLS even for plain http), about 8 MB of the
 * sidecar's footprint (docs/performance.md). See docs/proxy-registration.md.
 */
public final class InstanceRegistrar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceRegistrar.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final RegistrarOptions options;
    private final ScheduledExecutorService executor;
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
        try {
            if (!registered) {
                register();
            }
            report(probe());
        } catch (IOException | RuntimeException e) {
            log.warn("registrar cycle failed service={} instance={} error={}", options.service(), options.instanceId(), e.toString());
        } finally {
            if (!closed) {
                executor.schedule(this::tick, options.interval().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private boolean register() throws IOException {
        StringBuilder body = new StringBuilder(256).append('{');
        field(body, "address", options.address()).append(',');
        body.append("\"port\":").append(options.appPort());
        if (options.meshPort() > 0) {
            body.append(",\"mesh_port\":").append(options.meshPort());
        }
        if (!options.zone().isEmpty()) {
            field(body.append(','), "zone", options.zone());
        }
        body.append(",\"tags\":[");
        for (int i = 0; i < options.tags().size(); i++) {
            quote(body.append(i == 0 ? "" : ","), options.tags().get(i));
        }
        body.append("],\"checks\":[{");
        field(body, "id", options.checkId()).append(',');
        field(body, "type", "ttl").append(',');
        field(body, "ttl", options.interval().multipliedBy(3).toMillis() + "ms").append(',');
        field(body, "status", "critical").append("}]}");
        Response resp = send("PUT", instancePath(), body.toString());
        if (resp.status() / 100 == 2) {
            registered = true;
            log.info("registrar registered service={} instance={} mesh_port={}", options.service(), options.instanceId(), options.meshPort());
            return true;
        }
        log.warn("registrar register refused service={} instance={} status={} body={}", options.service(),
                options.instanceId(), resp.status(), resp.body());
        return false;
    }

    /** Null when the app is healthy, else why not. */
    private String probe() {
        if (options.appHealthPath() != null) {
            String what = "GET " + options.appHealthPath();
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + options.appPort() + options.appHealthPath())
                        .toURL().openConnection();
                int timeout = (int) Math.max(1, options.interval().toMillis());
                c.setConnectTimeout(timeout);
                c.setReadTimeout(timeout);
                int status = c.getResponseCode();
                drain(c, status);
                return status < 400 ? null : what + ": HTTP " + status;
            } catch (IOException | RuntimeException e) {
                return what + ": " + rootMessage(e);
            }
        }
        // A TCP connect blocks this thread for at most the interval; this thread does nothing else.
        return tcpProbe();
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
    private void report(String failure) throws IOException {
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
            return;
        }
        StringBuilder b = new StringBuilder(96).append('{');
        field(b, "status", healthy ? "passing" : "critical").append(',');
        field(b, "output", healthy ? "app healthy" : failure).append('}');
        String body = b.toString();
        String path = "/api/v1/checks/" + enc(options.checkId()) + "/status";
        Response resp = send("PUT", path, body);
        if (resp.status() == 404) {
            log.warn("registrar instance unknown to the control plane, registering again service={} instance={}",
                    options.service(), options.instanceId());
            registered = false;
            if (!closed && register()) {
                send("PUT", path, body);
            }
            return;
        }
        if (resp.status() / 100 != 2) {
            log.warn("registrar status report refused check={} status={} body={}", options.checkId(), resp.status(), resp.body());
        }
    }

    /** A control-plane answer: status and body (the error body for 4xx/5xx). */
    private record Response(int status, String body) {
    }

    private Response send(String method, String path, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) options.controlPlane().resolve(path).toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout((int) requestTimeout.toMillis());
        c.setRequestMethod(method);
        if (options.token() != null) {
            c.setRequestProperty("X-Weft-Token", options.token());
        }
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.setFixedLengthStreamingMode(bytes.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = c.getResponseCode();
        return new Response(status, drain(c, status));
    }

    /** Reads the body to the end (so the connection can be reused) and returns it. */
    private static String drain(HttpURLConnection c, int status) throws IOException {
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return quote(quote(json, name).append(':'), value);
    }

    /** A JSON string literal (RFC 8259 escaping). */
    static StringBuilder quote(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        json.append(String.format("\\u%04x", (int) ch));
                    } else {
                        json.append(ch);
                    }
                }
            }
        }
        return json.append('"');
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

    /**
     * Stops probing and deregisters. The DELETE runs on the registrar's own thread, after any cycle
     * in progress: sent from the closing thread, it could overtake a status report that then gets
     * 404 and registers the instance again after it was removed (a stopped sidecar would stay
     * listed until its TTL check expired). Waits, bounded, for that cycle and the DELETE.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.submit(this::deregister).get(longestCycleMillis() + requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("registrar cycle still running at close, deregistering from the closing thread service={} instance={}",
                    options.service(), options.instanceId());
            deregister();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deregister();
        } catch (ExecutionException | RejectedExecutionException e) {
            deregister();
        } finally {
            executor.shutdownNow();
        }
    }

    /** A cycle's worst case: register, probe, report, register again after a 404 and report again. */
    private long longestCycleMillis() {
        return 4 * (CONNECT_TIMEOUT_MILLIS + requestTimeout.toMillis()) + options.interval().toMillis();
    }

    private void deregister() {
        try {
            Response resp = send("DELETE", instancePath(), null);
            log.info("registrar deregistered service={} instance={} status={}", options.service(), options.instanceId(), resp.status());
        } catch (IOException | RuntimeException e) {
            log.warn("registrar deregister failed service={} instance={} error={}", options.service(), options.instanceId(), e.toString());
        } finally {
            registered = false;
        }
    }
}
