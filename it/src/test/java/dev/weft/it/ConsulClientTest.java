package dev.weft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Consul client that no one here wrote, python-consul (Debian's python3-consul), runs a
 * session against a control-plane process: agent/self, register with TTL checks, check updates,
 * health with ?passing, blocking queries, catalog reads with tags, deregister, a refused token.
 *
 * <p>Prometheus' consul_sd would be the other obvious client, but Debian builds Prometheus without
 * Consul service discovery ("Disable Consul SD until its Debian package is back in shape"), so
 * `consul_sd_configs` is an unknown field there; see docs/api.md.
 */
class ConsulClientTest {
    @TempDir
    Path dataDir;

    @Test
    void pythonConsulWorksUnchanged() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assertThat(Files.isExecutable(python)).as("/usr/bin/python3 is required (apt-get install python3-consul)").isTrue();
        Tools.Result probe = Tools.runAllowingFailure(List.of(python.toString(), "-c", "import consul"));
        assertThat(probe.exitCode()).as("python3-consul is not installed: apt-get install python3-consul (.ci/run does this)")
                .isZero();
        Path script = dataDir.resolve("consul_client_session.py");
        try (var in = getClass().getResourceAsStream("/consul_client_session.py")) {
            Files.copy(in, script);
        }
        try (WeftProcess cp = WeftProcess.start(List.of("control-plane", "--data-dir", dataDir.resolve("cp").toString(),
                "--http-port", "0", "--dns-port", "0", "--xds-port", "0")).awaitReady()) {
            String token = Files.readString(dataDir.resolve("cp/admin-token")).trim();
            assertThat(cp.xdsPort()).as("--xds-port 0: a free port, named in the ready line").isPositive();
            Tools.Result session = Tools.runAllowingFailure(List.of(python.toString(), script.toString(), "127.0.0.1",
                    String.valueOf(cp.httpPort()), token));
            assertThat(session.exitCode()).as(session.stdout() + session.stderr()).isZero();
            assertThat(session.stdout()).endsWith("OK\n");
            assertThat(cp.stderr()).doesNotContain(token);
        }
    }
}
