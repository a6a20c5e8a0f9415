package dev.weft.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny HTTP application standing in for a user's service: {@code GET /} answers who it is,
 * {@code GET /healthz} answers 200 while healthy and 503 once {@link #setHealthy(boolean)} says
 * otherwise, so that the demo can show health checks taking an instance out of DNS.
 */
public final class SampleService implements AutoCloseable {
    private final String service;
    private final String instanceId;
    private final HttpServer server;
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicLong requests = new AtomicLong();
    private volatile Downstream downstream = Downstream.NONE;

    /** The services this one calls on every request, through its sidecar's outbound listener (HTTP proxy form). */
    private record Downstream(java.net.http.HttpClient client, List<String> services) {
        static final Downstream NONE = new Downstream(null, List.of());
    }

    private SampleService(String service, String instanceId, HttpServer server) {
        this.service = service;
        this.instanceId = instanceId;
        this.server = server;
    }

    /** Starts on an ephemeral port of {@code bind}. */
    public static SampleService start(String service, String instanceId, InetAddress bind) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, 0), 64);
        SampleService s = new SampleService(service, instanceId, server);
        server.createContext("/healthz", s::health);
        server.createContext("/", s::hello);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-" + instanceId);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String service() {
        return service;
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * From now on, each request to this service calls {@code services} in turn through the HTTP
     * proxy at {@code outbound} (its sidecar), as an unmodified app with {@code HTTP_PROXY} set would.
     */
    public void callThrough(InetSocketAddress outbound, List<String> services) {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .proxy(java.net.ProxySelector.of(outbound))
                .connectTimeout(java.time.Duration.ofSeconds(2))
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        downstream = new Downstream(client, List.copyOf(services));
    }

    public void setHealthy(boolean value) {
        healthy.set(value);
    }

    public long requests() {
        return requests.get();
    }

    private void health(HttpExchange ex) throws IOException {
        boolean ok = healthy.get();
        reply(ex, ok ? 200 : 503, ok ? "ok\n" : "unhealthy\n", "text/plain");
    }

    private void hello(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        StringBuilder body = new StringBuilder("{\"service\":\"").append(service).append("\",\"instance\":\"")
                .append(instanceId).append("\",\"path\":\"").append(ex.getRequestURI().getPath().replace("\"", "")).append('"');
        Downstream d = downstream;
        int status = 200;
        if (!d.services().isEmpty()) {
            body.append(",\"calls\":[");
            for (int i = 0; i < d.services().size(); i++) {
                Call c = call(d.client(), d.services().get(i));
                if (c.status != 200) {
                    status = 502; // a failed dependency fails this request too, as a real app would
                }
                body.append(i == 0 ? "" : ",").append("{\"service\":\"").append(d.services().get(i))
                        .append("\",\"status\":").append(c.status).append(",\"answer\":").append(c.answer).append('}');
            }
            body.append(']');
        }
        body.append("}\n");
        reply(ex, status, body.toString(), "application/json");
    }

    private record Call(int status, String answer) {}

    private static Call call(java.net.http.HttpClient client, String service) {
        try {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + service + "/"))
                    .timeout(java.time.Duration.ofSeconds(5)).GET().build();
            var resp = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            String answer = resp.body().strip();
            if (!answer.startsWith("{")) {
                // The mesh's own error: keep its reason, quoted.
                answer = "\"" + resp.headers().firstValue("x-weft-error").orElse("") + ": "
                        + answer.replace("\\", "").replace("\"", "'") + "\"";
            }
            return new Call(resp.statusCode(), answer);
        } catch (IOException e) {
            return new Call(0, "\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Call(0, "\"interrupted\"");
        }
    }

    private static void reply(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
