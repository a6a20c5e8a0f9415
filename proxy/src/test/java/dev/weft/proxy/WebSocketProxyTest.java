package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.UpstreamProtocol;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * WebSocket through two sidecars with Python's websockets library on both ends (a real client and
 * server, Debian's python3-websockets): the upgrade passes, frames are relayed both ways (text and
 * a 2 MiB binary message), and the server's close reaches the client with its code and reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketProxyTest {
    private String python;
    private Path script;
    private Process server;
    private int serverPort;
    private TestBackend plain;
    private Sidecar a;
    private Sidecar b;

    @BeforeAll
    void start() throws Exception {
        python = ExternalTool.require("/usr/bin/python3", "python3");
        script = script();
        ExternalTool.Result probe = ExternalTool.run(List.of(python, "-c", "import websockets"), 20);
        if (probe.exit() != 0) {
            ExternalTool.require("/nonexistent/python3-websockets", "python3-websockets");
        }
        server = new ProcessBuilder(python, script.toString(), "server").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        serverPort = Integer.parseInt(out.readLine().trim());
        plain = new TestBackend("plain");

        b = Sidecar.start(Configs.testOptions());
        b.apply(new Configs.Builder(b).app(serverPort).build("b1"));
        a = Sidecar.start(Configs.testOptions());
        a.apply(new Configs.Builder(a)
                .service(cluster("chat", LbPolicy.ROUND_ROBIN, Configs.mesh(b.inboundPort())).withProtocol(UpstreamProtocol.DOWNSTREAM))
                .service(cluster("plain", LbPolicy.ROUND_ROBIN, healthy(plain.port())))
                .build("a1"));
    }

    private static Path script() throws URISyntaxException {
        return Path.of(WebSocketProxyTest.class.getResource("/ws_peer.py").toURI());
    }

    @AfterAll
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.destroy();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    void framesAndCloseCrossTwoSidecars() throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of(python, script.toString(), "client", "127.0.0.1",
                String.valueOf(a.outboundPort()), "chat"), 60);
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("text ok\nbinary ok\nclosed 4000 server says bye\n");
    }

    @Test
    void anUpgradeTheAppIgnoresIsAnOrdinaryExchangeOnAReusableConnection() throws Exception {
        try (RawHttp raw = new RawHttp(a.outboundPort())) {
            String upgrade = "GET /ws HTTP/1.1\r\nHost: plain\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            assertThat(raw.send(upgrade).readResponse()).startsWith("HTTP/1.1 200").contains("backend=plain method=GET path=/ws");
            assertThat(raw.send("GET /after HTTP/1.1\r\nHost: plain\r\n\r\n").readResponse())
                    .startsWith("HTTP/1.1 200").contains("path=/after");
        }
    }
}
