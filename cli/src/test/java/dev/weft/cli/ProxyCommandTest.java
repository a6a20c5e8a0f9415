package dev.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.UpstreamProtocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code weft proxy}'s flags as an operator types them; parsing only, no sidecar is started. */
class ProxyCommandTest {
    private static ProxyCommand parse(String... extra) {
        ProxyCommand cmd = new ProxyCommand();
        String[] args = new String[extra.length + 4];
        System.arraycopy(new String[] {"--service", "web", "--app-port", "8080"}, 0, args, 0, 4);
        System.arraycopy(extra, 0, args, 4, extra.length);
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void appProtocolDefaultsToHttp1() {
        assertThat(parse().appProtocol).isEqualTo(UpstreamProtocol.HTTP1);
    }

    @ParameterizedTest
    @CsvSource({"http1, HTTP1", "http2, HTTP2", "grpc, HTTP2", "HTTP2, HTTP2", "gRPC, HTTP2"})
    void appProtocolNamesTheAppsHttpVersion(String flag, UpstreamProtocol expected) {
        assertThat(parse("--app-protocol", flag).appProtocol).isEqualTo(expected);
        assertThat(parse("--app-protocol=" + flag).appProtocol).isEqualTo(expected);
    }

    @Test
    void anUnknownAppProtocolIsAUsageErrorNamingTheChoices() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("proxy", "--service", "web", "--app-port", "8080", "--app-protocol", "http3");
        } finally {
            System.setErr(saved);
        }
        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Invalid value for option '--app-protocol': 'http3' is not one of http1, http2, grpc");
    }
}
