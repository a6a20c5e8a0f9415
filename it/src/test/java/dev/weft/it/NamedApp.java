package dev.weft.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;

/**
 * The app the integration tests put behind sidecars: {@code GET /} answers the app's name (so a
 * test can tell which instance served it), {@code /healthz} answers the status the test chooses.
 */
final class NamedApp implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private NamedApp(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static NamedApp start(String name) {
        return start(name, () -> 200);
    }

    static NamedApp start(String name, IntSupplier healthStatus) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            s.createContext("/healthz", ex -> {
                ex.sendResponseHeaders(healthStatus.getAsInt(), -1);
                ex.close();
            });
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            s.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("x-app", name);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            ExecutorService executor = Executors.newFixedThreadPool(4);
            s.setExecutor(executor);
            s.start();
            return new NamedApp(s, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test app " + name, e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
