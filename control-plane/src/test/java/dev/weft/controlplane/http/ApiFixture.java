package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.store.SqliteStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A real control plane for a test: SqliteStore in a temp dir, Registry, HttpApiServer on an ephemeral loopback port. */
final class ApiFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final SqliteStore store;
    final Registry registry;
    final AdminToken token;
    final HttpApiServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiFixture(Path dir) {
        this(dir, 0);
    }

    ApiFixture(Path dir, int maxBodyBytes) {
        store = SqliteStore.open(dir.resolve("data"), Clock.systemUTC());
        registry = Registry.open(store, Clock.systemUTC(), Duration.ZERO);
        token = AdminToken.loadOrCreate(dir.resolve("data"));
        server = HttpApiServer.start(HttpApiConfig.of(InetAddress.getLoopbackAddress(), 0).withMaxBodyBytes(maxBodyBytes),
                registry, token);
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> send(HttpRequest r) {
        try {
            return client.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    /** PUT with the admin token and a JSON content type. */
    HttpResponse<String> put(String path, String body) {
        return send(request(path).header("X-Weft-Token", token.value()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).header("Authorization", "Bearer " + token.value()).DELETE().build());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + r.statusCode() + "): " + r.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
        registry.close();
        store.close();
    }
}
