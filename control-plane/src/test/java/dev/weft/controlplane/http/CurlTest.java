package dev.weft.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented curl commands, run with the real curl. */
class CurlTest {
    @TempDir
    Path dir;
    ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dir, 4096);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** Runs curl, returns "<status>\n<body>". */
    String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1) + "\n" + out.substring(0, nl);
    }

    @Test
    void nativeRegisterListAndErrors() throws Exception {
        String base = api.base();
        String tokenHeader = "X-Weft-Token: " + api.token.value();
        assertThat(curl("-X", "PUT", "-H", tokenHeader, "-H", "Content-Type: application/json", "--data",
                "{\"address\":\"127.0.0.1\",\"port\":8080,\"tags\":[\"v1\"],\"checks\":[{\"ttl\":\"10s\",\"status\":\"passing\"}]}",
                base + "/api/v1/services/catalog/instances/catalog-1")).matches("200\n\\{\"index\":\\d+}");
        assertThat(curl(base + "/api/v1/services/catalog/instances?passing=true")).startsWith("200\n").contains("\"id\":\"catalog-1\"");

        long index = api.registry.index();
        // curl --data labels the body application/x-www-form-urlencoded unless told otherwise; the body
        // is still JSON and is read as such (here it is malformed, so nothing is stored).
        assertThat(curl("-X", "PUT", "-H", tokenHeader, "--data", "{\"address\":\"127.0.0.1\",\"port\":",
                base + "/api/v1/services/catalog/instances/catalog-2")).startsWith("400\n").contains("malformed JSON");
        assertThat(curl("-X", "PUT", "-H", tokenHeader, "-H", "Content-Type: application/json", "--data", "{\"address\":\"127.0.0.1\",\"port\":\"80\"}",
                base + "/api/v1/services/catalog/instances/catalog-2")).startsWith("400\n").contains("\"field\":\"port\"");
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"address\":\"127.0.0.1\",\"port\":80,\"meta\":{\"k\":\"" + "x".repeat(5000) + "\"}}");
        assertThat(curl("-X", "PUT", "-H", tokenHeader, "-H", "Content-Type: application/json", "--data-binary", "@" + big,
                base + "/api/v1/services/catalog/instances/catalog-2")).startsWith("413\n").contains("limit of 4096 bytes");
        assertThat(curl("-X", "DELETE", base + "/api/v1/services/catalog/instances/catalog-1")).startsWith("401\n");
        assertThat(api.registry.index()).isEqualTo(index);
    }

    @Test
    void consulRegisterAsConsulDocsShowIt() throws Exception {
        String base = api.base();
        Path payload = dir.resolve("payload.json");
        Files.writeString(payload, "{\"ID\":\"redis1\",\"Name\":\"redis\",\"Tags\":[\"primary\"],\"Address\":\"127.0.0.1\",\"Port\":8000,"
                + "\"Check\":{\"TTL\":\"15s\"}}");
        // Consul's docs: curl --request PUT --data @payload.json (form content type; Consul does not care, nor does Weft here)
        assertThat(curl("--request", "PUT", "--header", "X-Consul-Token: " + api.token.value(), "--data", "@" + payload,
                base + "/v1/agent/service/register")).isEqualTo("200\n");
        assertThat(curl("--request", "PUT", "--header", "X-Consul-Token: " + api.token.value(),
                base + "/v1/agent/check/pass/service:redis1?note=ok")).isEqualTo("200\n");
        assertThat(curl(base + "/v1/health/service/redis?passing")).startsWith("200\n").contains("\"ServiceName\":\"redis\"");
        assertThat(curl("--request", "PUT", "--header", "X-Consul-Token: " + api.token.value(), "--data", "{\"Name\":\"Redis\",\"Port\":1}",
                base + "/v1/agent/service/register")).startsWith("400\nName: 'Redis' is not a valid name");
    }
}
