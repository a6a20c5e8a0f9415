package dev.weft.proxy;

import static dev.weft.proxy.Configs.cluster;
import static dev.weft.proxy.Configs.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.LbPolicy;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Smuggling and malformed requests, written byte for byte on a real socket to the outbound
 * listener: each is answered 400 (or 414/431) with Connection: close, the socket is closed, and the
 * backend never receives a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestSmugglingTest {
    private TestBackend backend;
    private Sidecar sidecar;

    @BeforeAll
    void start() throws Exception {
        backend = new TestBackend("app");
        sidecar = Sidecar.start(Configs.testOptions());
        sidecar.apply(new Configs.Builder(sidecar).service(cluster("catalog", LbPolicy.ROUND_ROBIN, healthy(backend.port()))).build("1"));
    }

    @AfterAll
    void stop() {
        sidecar.close();
        backend.close();
    }

    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.1 \\d{3} ");
    private static final String POST = "POST /x HTTP/1.1\r\nHost: catalog\r\n";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("CL then TE", POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: catalog\r\n\r\n"),
                Arguments.of("TE then CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                Arguments.of("duplicate equal CL", POST + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
                Arguments.of("duplicate different CL", POST + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
                Arguments.of("CL list", POST + "Content-Length: 3, 3\r\n\r\nabc"),
                Arguments.of("CL not a number", POST + "Content-Length: abc\r\n\r\n"),
                Arguments.of("CL negative", POST + "Content-Length: -1\r\n\r\nabc"),
                Arguments.of("CL with plus", POST + "Content-Length: +3\r\n\r\nabc"),
                Arguments.of("CL overflow", POST + "Content-Length: 99999999999999999999999\r\n\r\nabc"),
                Arguments.of("TE xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE chunked, identity", POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE identity, chunked", POST + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE twice", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE folded onto another header", POST + "X-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE with space before colon", POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE in HTTP/1.0", "POST /x HTTP/1.0\r\nHost: catalog\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunk size not hex", POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n"),
                Arguments.of("chunk size overflow", POST + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nab\r\n0\r\n\r\n"),
                Arguments.of("chunk data without CRLF", POST + "Transfer-Encoding: chunked\r\n\r\n2\r\nabXX0\r\n\r\n"),
                Arguments.of("chunk size line with bare LF", POST + "Transfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n"),
                Arguments.of("space before colon", "GET /x HTTP/1.1\r\nHost: catalog\r\nX-Custom : 1\r\n\r\n"),
                Arguments.of("obs-fold", "GET /x HTTP/1.1\r\nHost: catalog\r\nX-A: b\r\n\tc\r\n\r\n"),
                Arguments.of("bare LF line ends", "GET /x HTTP/1.1\nHost: catalog\n\n"),
                Arguments.of("bare CR in a header", "GET /x HTTP/1.1\r\nHost: catalog\rX: y\r\n\r\n"),
                Arguments.of("two Host headers", "GET /x HTTP/1.1\r\nHost: catalog\r\nHost: other\r\n\r\n"),
                Arguments.of("no Host in HTTP/1.1", "GET /x HTTP/1.1\r\n\r\n"),
                Arguments.of("garbage request line", "HELLO\r\n\r\n"),
                Arguments.of("https absolute form", "GET https://catalog/x HTTP/1.1\r\nHost: catalog\r\n\r\n"),
                Arguments.of("CONNECT", "CONNECT catalog:443 HTTP/1.1\r\nHost: catalog:443\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWith400AndClose(String name, String payload) throws Exception {
        assertRefused(payload, "400", "bad_request");
    }

    @Test
    void requestLineTooLongIs414() throws Exception {
        assertRefused("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: catalog\r\n\r\n", "414", "uri_too_long");
    }

    @Test
    void headersTooLargeAre431() throws Exception {
        assertRefused("GET /x HTTP/1.1\r\nHost: catalog\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", "431", "header_too_large");
    }

    @Test
    void tabAfterColonAndExtraSpacesAreLegalChunkedFraming() throws Exception {
        int before = backend.requests.get();
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            raw.send(POST + "Transfer-Encoding:\tchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("backend=app method=POST path=/x");
            raw.send(POST + "Transfer-Encoding:   chunked  \r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
        }
        assertThat(backend.requests.get()).isEqualTo(before + 2);
    }

    private void assertRefused(String payload, String code, String reason) throws Exception {
        int before = backend.requests.get();
        RawHttp.Result r;
        try (RawHttp raw = new RawHttp(sidecar.outboundPort())) {
            raw.send(payload);
            r = raw.readToClose();
        }
        assertThat(r.text()).startsWith("HTTP/1.1 " + code).contains("x-weft-error: " + reason).contains("connection: close");
        assertThat(r.text().split("\r\n\r\n", 2)[1]).startsWith(reason + ": ");
        assertThat(STATUS_LINE.matcher(r.text()).results().count()).as("responses").isEqualTo(1); // nothing smuggled
        assertThat(r.closed()).as("socket closed").isTrue();
        assertThat(backend.requests.get()).as("requests the backend received").isEqualTo(before);
    }
}
