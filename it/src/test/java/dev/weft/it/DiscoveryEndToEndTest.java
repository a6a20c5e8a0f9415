package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's path through discovery, with real clients against a real control-plane process:
 * register with curl and the CLI, find instances with dig, the CLI and the HTTP API, watch health
 * checks change what DNS answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiscoveryEndToEndTest {
    private Path dataDir;

    private WeftProcess cp;
    private String token;
    private final String curl = Tools.require("curl", "curl");
    private final String dig = Tools.require("dig", "dnsutils");
    private com.sun.net.httpserver.HttpServer app;
    private volatile int appStatus = 200;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        dataDir = dir;
        cp = WeftProcess.start(List.of("control-plane", "--data-dir", dataDir.toString(), "--http-port", "0",
                "--dns-port", "0", "--xds-port", "0", "--dns-ttl", "7s")).awaitReady();
        Path tokenFile = dataDir.resolve("admin-token");
        token = Files.readString(tokenFile).trim();
        app = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        app.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(appStatus, -1);
            ex.close();
        });
        app.start();
    }

    @AfterAll
    void stop() {
        if (cp != null) {
            cp.close();
        }
        if (app != null) {
            app.stop(0);
        }
    }

    private List<String> curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        return Tools.lines(Tools.run(cmd));
    }

    private List<String> dig(String... args) {
        List<String> cmd = new ArrayList<>(List.of(dig, "@127.0.0.1", "-p", String.valueOf(cp.dnsPort()), "+time=2", "+tries=1"));
        cmd.addAll(List.of(args));
        return Tools.lines(Tools.run(cmd));
    }

    private Tools.Result cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.weft.cli.Main"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--control-plane", cp.baseUrl(), "--data-dir", dataDir.toString()));
        return Tools.runAllowingFailure(cmd);
    }

    @Test
    void tokenIsShownOnceOnTheTerminalStoredPrivatelyAndNeverLogged() throws Exception {
        assertThat(cp.stdout()).contains(token);
        assertThat(cp.stderr()).doesNotContain(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("admin-token")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        try (var files = Files.walk(dataDir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void writesNeedTheTokenReadsDoNot() {
        String body = "{\"address\":\"127.0.0.1\",\"port\":9000}";
        List<String> noToken = curl("-X", "PUT", "-d", body, cp.baseUrl() + "/api/v1/services/auth-test/instances/a1");
        assertThat(noToken.get(noToken.size() - 1)).isEqualTo("401");
        List<String> wrong = curl("-X", "PUT", "-H", "X-Weft-Token: nope", "-d", body, cp.baseUrl() + "/api/v1/services/auth-test/instances/a1");
        assertThat(wrong.get(wrong.size() - 1)).isEqualTo("403");
        List<String> read = curl(cp.baseUrl() + "/api/v1/services/auth-test/instances");
        assertThat(read.get(read.size() - 1)).isEqualTo("200");
        assertThat(read.get(0)).contains("\"instances\":[]");
    }

    @Test
    void registerWithCurlAndFindWithDigCliAndHttp() {
        for (int i = 1; i <= 3; i++) {
            String body = "{\"address\":\"127.0.0." + (10 + i) + "\",\"port\":" + (8000 + i) + ",\"tags\":[\"" + (i == 3 ? "canary" : "stable")
                    + "\"],\"weight\":" + i + "}";
            List<String> out = curl("-X", "PUT", "-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json", "-d", body,
                    cp.baseUrl() + "/api/v1/services/catalog/instances/catalog-" + i);
            assertThat(out.get(out.size() - 1)).as(out.toString()).isEqualTo("200");
        }
        assertThat(dig("catalog.service.weft", "A", "+short")).containsExactlyInAnyOrder("127.0.0.11", "127.0.0.12", "127.0.0.13");
        assertThat(dig("catalog.service.weft", "A", "+short", "+tcp")).hasSize(3);
        List<String> srv = dig("_catalog._tcp.service.weft", "SRV", "+short");
        assertThat(srv).hasSize(3).anyMatch(l -> l.matches("1 3 8003 \\S+\\.addr\\.weft\\."));
        assertThat(dig("canary.catalog.service.weft", "SRV", "+short")).hasSize(1).allMatch(l -> l.contains(" 8003 "));
        assertThat(String.join("\n", dig("catalog.service.weft", "A", "+noall", "+answer"))).contains("\t7\tIN\tA\t");
        assertThat(String.join("\n", dig("nothing.service.weft", "A"))).contains("status: NXDOMAIN").contains("SOA");
        assertThat(String.join("\n", dig("example.com", "A"))).contains("status: REFUSED");

        Tools.Result services = cli("services");
        assertThat(services.exitCode()).as(services.stderr()).isZero();
        assertThat(services.stdout()).containsPattern("catalog\\s+3\\s+3\\s+0\\s+0\\s+canary,stable|catalog\\s+3\\s+3\\s+0\\s+0\\s+stable,canary");
        Tools.Result instances = cli("instances", "catalog", "-o", "json");
        assertThat(instances.stdout()).contains("\"catalog-3\"").contains("\"127.0.0.13\"");

        Tools.Result gone = cli("deregister", "catalog", "catalog-3");
        assertThat(gone.exitCode()).as(gone.stderr()).isZero();
        assertThat(dig("catalog.service.weft", "A", "+short")).containsExactlyInAnyOrder("127.0.0.11", "127.0.0.12");
        assertThat(dig("canary.catalog.service.weft", "SRV").toString()).contains("NXDOMAIN");
    }

    @Test
    void anHttpCheckTakesAFailingInstanceOutOfDns() {
        int port = app.getAddress().getPort();
        Tools.Result reg = cli("register", "--service", "ratings", "--id", "ratings-1", "--address", "127.0.0.21", "--port",
                String.valueOf(port), "--http-check", "http://127.0.0.1:" + port + "/healthz", "--interval", "200ms", "--timeout", "1s");
        assertThat(reg.exitCode()).as(reg.stderr()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dig("ratings.service.weft", "A", "+short").contains("127.0.0.21"));
        appStatus = 500;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dig("ratings.service.weft", "A").toString().contains("NXDOMAIN"));
        Tools.Result passing = cli("instances", "ratings");
        assertThat(passing.stdout()).contains("critical");
        appStatus = 200;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dig("ratings.service.weft", "A", "+short").contains("127.0.0.21"));
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndChangesNothing() {
        long before = Http.get(cp.baseUrl() + "/api/v1/health").json().path("index").asLong();
        Tools.Result badPort = cli("register", "--service", "catalog", "--port", "70000");
        assertThat(badPort.exitCode()).isEqualTo(1);
        assertThat(badPort.stderr()).contains("port").contains("65535");
        Tools.Result badName = cli("register", "--service", "Bad_Name", "--port", "80");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.stderr()).contains("Bad_Name");
        List<String> malformed = curl("-X", "PUT", "-H", "X-Weft-Token: " + token, "-d", "{\"address\":", cp.baseUrl()
                + "/api/v1/services/catalog/instances/x");
        assertThat(malformed.get(malformed.size() - 1)).isEqualTo("400");
        Tools.Result unknown = cli("deregister", "catalog", "no-such-instance");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("404");
        assertThat(Http.get(cp.baseUrl() + "/api/v1/health").json().path("index").asLong()).isEqualTo(before);
        assertThat(cp.process().isAlive()).isTrue();
    }

    @Test
    void helpListsEveryCommand() {
        Tools.Result help = cli("--help");
        for (String c : List.of("control-plane", "demo", "services", "instances", "register", "deregister")) {
            assertThat(help.stdout()).contains(c);
        }
    }
}
