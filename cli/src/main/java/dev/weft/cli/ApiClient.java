package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of the control plane's native API, for the operator commands. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    JsonNode put(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(resolve(path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).DELETE());
    }

    private URI resolve(String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }

    private JsonNode send(HttpRequest.Builder builder) {
        if (token != null && !token.isEmpty()) {
            builder.header("X-Weft-Token", token);
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the control plane at " + base + " (is `weft control-plane` running? set --control-plane)");
        } catch (IOException e) {
            throw new CliException("request to " + request.uri() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        JsonNode body;
        try {
            body = resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new CliException("unexpected answer from " + request.uri() + " (" + resp.statusCode() + "): " + resp.body());
        }
        if (resp.statusCode() >= 300) {
            String message = body.path("message").asText(body.path("error").asText(resp.body()));
            throw new CliException(resp.statusCode() + " " + message);
        }
        return body;
    }

    static ObjectMapper json() {
        return JSON;
    }
}
