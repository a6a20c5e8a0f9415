package dev.weft.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
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
        String body = "{\"service\":\"" + service + "\",\"instance\":\"" + instanceId + "\",\"path\":\""
                + ex.getRequestURI().getPath().replace("\"", "") + "\"}\n";
        reply(ex, 200, body, "application/json");
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
