package dev.weft.controlplane.http;

import static dev.weft.controlplane.http.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input, on the wire, on both APIs: the status, a message naming the field, and nothing stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    static final int MAX_BODY = 4096;
    static final String OK_CHECKS = "\"checks\":[{\"id\":\"c1\",\"ttl\":\"10s\"}]";
    static final String LONG_NAME = "a".repeat(64);

    @TempDir
    static Path dir;
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture(dir, MAX_BODY);
        assertThat(api.put("/api/v1/services/existing/instances/e1", "{\"address\":\"10.0.0.9\",\"port\":80}").statusCode()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        api.close();
    }

    static Stream<Arguments> nativeCases() {
        String p = "/api/v1/services/web/instances/w1";
        return Stream.of(
                Arguments.of("malformed JSON", p, "{\"address\": \"10.0.0.1\", \"port\": }", 400, "", "malformed JSON at line 1 column"),
                Arguments.of("empty body", p, "", 400, "", "empty"),
                Arguments.of("body is an array", p, "[{\"port\":80}]", 400, "", "not an array"),
                Arguments.of("body is a scalar", p, "42", 400, "", "not the number 42"),
                Arguments.of("body is a string", p, "\"hello\"", 400, "", "not the string"),
                Arguments.of("missing port", p, "{\"address\":\"10.0.0.1\"}", 400, "port", "port: is required"),
                Arguments.of("missing address", p, "{\"port\":80}", 400, "address", "address: is required"),
                Arguments.of("address not an IP", p, "{\"address\":\"localhost\",\"port\":80}", 400, "address", "not an IPv4 or IPv6"),
                Arguments.of("upper-case name", "/api/v1/services/Web/instances/w1", "{\"address\":\"10.0.0.1\",\"port\":80}", 400, "service", "'Web' is not a valid name"),
                Arguments.of("underscore name", "/api/v1/services/my_web/instances/w1", "{\"address\":\"10.0.0.1\",\"port\":80}", 400, "service", "not a valid name"),
                Arguments.of("64-char name", "/api/v1/services/" + LONG_NAME + "/instances/w1", "{\"address\":\"10.0.0.1\",\"port\":80}", 400, "service", "not a valid name"),
                Arguments.of("service in body differs", p, "{\"service\":\"api\",\"address\":\"10.0.0.1\",\"port\":80}", 400, "service", "does not match"),
                Arguments.of("bad instance id", "/api/v1/services/web/instances/-w1", "{\"address\":\"10.0.0.1\",\"port\":80}", 400, "id", "not a valid id"),
                Arguments.of("port 0", p, "{\"address\":\"10.0.0.1\",\"port\":0}", 400, "port", "between 1 and 65535"),
                Arguments.of("port 65536", p, "{\"address\":\"10.0.0.1\",\"port\":65536}", 400, "port", "between 1 and 65535"),
                Arguments.of("port -1", p, "{\"address\":\"10.0.0.1\",\"port\":-1}", 400, "port", "between 1 and 65535"),
                Arguments.of("port as string", p, "{\"address\":\"10.0.0.1\",\"port\":\"80\"}", 400, "port", "must be an integer, not the string \"80\""),
                Arguments.of("port as float", p, "{\"address\":\"10.0.0.1\",\"port\":80.5}", 400, "port", "must be an integer"),
                Arguments.of("mesh_port out of range", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"mesh_port\":70000}", 400, "mesh_port", "between 1 and 65535"),
                Arguments.of("tags not an array", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"tags\":\"v1\"}", 400, "tags", "must be an array"),
                Arguments.of("tag not a string", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"tags\":[1]}", 400, "tags[0]", "must be a string"),
                Arguments.of("bad tag", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"tags\":[\"ok\",\"Not_OK\"]}", 400, "tags[1]", "not a valid tag"),
                Arguments.of("meta value not a string", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"meta\":{\"k\":1}}", 400, "meta.k", "must be a string"),
                Arguments.of("weight 0", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"weight\":0}", 400, "weight", "between 1 and"),
                Arguments.of("unknown field", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"colour\":\"red\"}", 400, "colour", "unknown field"),
                Arguments.of("unknown check field", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"10s\",\"script\":\"x\"}]}", 400, "checks[0].script", "unknown field"),
                Arguments.of("checks not an array", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":{\"ttl\":\"10s\"}}", 400, "checks", "must be an array"),
                Arguments.of("negative ttl", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"-1s\"}]}", 400, "checks[0].ttl", "must be positive"),
                Arguments.of("zero ttl", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"0s\"}]}", 400, "checks[0].ttl", "must be positive"),
                Arguments.of("unparseable ttl", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"10x\"}]}", 400, "checks[0].ttl", "unknown unit"),
                Arguments.of("ttl without unit", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"10\"}]}", 400, "checks[0].ttl", "missing a unit"),
                Arguments.of("ttl as number", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":10}]}", 400, "checks[0].ttl", "must be a string"),
                Arguments.of("negative interval", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"http\":\"http://10.0.0.1/\",\"interval\":\"-5s\"}]}", 400, "checks[0].interval", "must be positive"),
                Arguments.of("unparseable interval", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"tcp\":\"10.0.0.1:80\",\"interval\":\"soon\"}]}", 400, "checks[0].interval", "not a duration"),
                Arguments.of("interval on a ttl check", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"5s\",\"interval\":\"5s\"}]}", 400, "checks[0].interval", "http and tcp"),
                Arguments.of("ttl and http", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"5s\",\"http\":\"http://10.0.0.1/\"}]}", 400, "checks[0]", "exactly one of ttl, http, tcp"),
                Arguments.of("no kind", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"id\":\"c\"}]}", 400, "checks[0]", "needs one of"),
                Arguments.of("type without its field", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"type\":\"http\"}]}", 400, "checks[0].http", "is required"),
                Arguments.of("type disagrees", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"type\":\"tcp\",\"ttl\":\"5s\"}]}", 400, "checks[0].type", "but the check sets ttl"),
                Arguments.of("bad http url", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"http\":\"ftp://x/\"}]}", 400, "checks[0].http", "http:// or https://"),
                Arguments.of("bad check status", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"ttl\":\"5s\",\"status\":\"fine\"}]}", 400, "checks[0].status", "passing, warning, critical"),
                Arguments.of("duplicate check ids", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"id\":\"c\",\"ttl\":\"5s\"},{\"id\":\"c\",\"ttl\":\"5s\"}]}", 400, "checks[1].id", "duplicate check id"),
                Arguments.of("duplicate JSON key", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"port\":81}", 400, "", "Duplicate field 'port'"),
                Arguments.of("oversized body", p, "{\"address\":\"10.0.0.1\",\"port\":80,\"meta\":{\"k\":\"" + "x".repeat(MAX_BODY) + "\"}}", 413, "", "larger than the limit of 4096 bytes"));
    }

    @ParameterizedTest(name = "native: {0}")
    @MethodSource("nativeCases")
    void nativeApi(String name, String path, String body, int status, String field, String message) {
        assertRejected(() -> api.put(path, body), status, r -> {
            assertThat(json(r).get("error").asText()).isNotEmpty();
            if (!field.isEmpty()) {
                assertThat(json(r).get("field").asText()).isEqualTo(field);
                assertThat(json(r).get("message").asText()).startsWith(field + ":");
            }
            assertThat(json(r).get("message").asText()).contains(message);
        });
    }

    @org.junit.jupiter.api.Test
    void nativeXmlContentTypeIs415AndEmptyNameIsNoRoute() {
        assertRejected(() -> api.send(api.request("/api/v1/services/web/instances/w1").header("X-Weft-Token", api.token.value())
                .header("Content-Type", "application/xml")
                .PUT(HttpRequest.BodyPublishers.ofString("<instance/>")).build()), 415,
                r -> assertThat(json(r).get("message").asText()).contains("application/xml is not JSON"));
        assertRejected(() -> api.put("/api/v1/services//instances/w1", "{\"address\":\"10.0.0.1\",\"port\":80}"), 404,
                r -> assertThat(json(r).get("error").asText()).isEqualTo("not_found"));
        assertRejected(() -> api.put("/api/v1/checks/c1/status", "{\"status\":\"passing\",\"extra\":1}"), 400,
                r -> assertThat(json(r).get("field").asText()).isEqualTo("extra"));
    }

    static Stream<Arguments> consulCases() {
        String svc = "\"Name\":\"web\",\"Address\":\"10.0.0.1\"";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"Name\":\"web\",", 400, "Request decode failed: malformed JSON at line 1"),
                Arguments.of("empty body", "", 400, "Request decode failed: request body is empty"),
                Arguments.of("body is an array", "[]", 400, "Request decode failed: request body must be a JSON object, not an array"),
                Arguments.of("body is a scalar", "true", 400, "not a boolean"),
                Arguments.of("missing Name", "{\"Port\":80}", 400, "Name: is required"),
                Arguments.of("upper-case Name", "{\"Name\":\"Web\",\"Port\":80}", 400, "Name: 'Web' is not a valid name"),
                Arguments.of("underscore Name", "{\"Name\":\"my_web\",\"Port\":80}", 400, "Name: 'my_web' is not a valid name"),
                Arguments.of("64-char Name", "{\"Name\":\"" + LONG_NAME + "\",\"Port\":80}", 400, "Name: '" + LONG_NAME + "' is not a valid name"),
                Arguments.of("empty Name", "{\"Name\":\"\",\"Port\":80}", 400, "Name: is required"),
                Arguments.of("missing Port", "{" + svc + "}", 400, "Port: must be between 1 and 65535"),
                Arguments.of("Port 0", "{" + svc + ",\"Port\":0}", 400, "Port: must be between 1 and 65535"),
                Arguments.of("Port 65536", "{" + svc + ",\"Port\":65536}", 400, "Port: must be between 1 and 65535"),
                Arguments.of("Port -1", "{" + svc + ",\"Port\":-1}", 400, "Port: must be between 1 and 65535"),
                Arguments.of("Port as string", "{" + svc + ",\"Port\":\"80\"}", 400, "Port: must be an integer"),
                Arguments.of("Address a host name", "{\"Name\":\"web\",\"Address\":\"web.local\",\"Port\":80}", 400, "Address: 'web.local' is not an IPv4 or IPv6 address"),
                Arguments.of("Tags not an array", "{" + svc + ",\"Port\":80,\"Tags\":\"v1\"}", 400, "Tags: must be an array"),
                Arguments.of("bad tag", "{" + svc + ",\"Port\":80,\"Tags\":[\"Not_OK\"]}", 400, "Tags[0]: 'Not_OK' is not a valid tag"),
                Arguments.of("bad Meta key", "{" + svc + ",\"Port\":80,\"Meta\":{\"bad key\":\"v\"}}", 400, "Invalid Service Meta: Meta: key 'bad key'"),
                Arguments.of("bad mesh port meta", "{" + svc + ",\"Port\":80,\"Meta\":{\"weft-mesh-port\":\"x\"}}", 400, "Meta[\"weft-mesh-port\"]"),
                Arguments.of("Weights.Passing 0", "{" + svc + ",\"Port\":80,\"Weights\":{\"Passing\":0,\"Warning\":1}}", 400, "Weights.Passing: must be between 1"),
                Arguments.of("negative TTL", "{" + svc + ",\"Port\":80,\"Check\":{\"TTL\":\"-1s\"}}", 400, "Check.TTL: must be positive"),
                Arguments.of("unparseable TTL", "{" + svc + ",\"Port\":80,\"Check\":{\"TTL\":\"ten seconds\"}}", 400, "Check.TTL:"),
                Arguments.of("negative Interval", "{" + svc + ",\"Port\":80,\"Checks\":[{\"HTTP\":\"http://10.0.0.1/\",\"Interval\":\"-10s\"}]}", 400, "Checks[0].Interval: must be positive"),
                Arguments.of("unparseable Interval", "{" + svc + ",\"Port\":80,\"Checks\":[{\"TCP\":\"10.0.0.1:80\",\"Interval\":\"often\"}]}", 400, "Checks[0].Interval:"),
                Arguments.of("TTL and HTTP", "{" + svc + ",\"Port\":80,\"Check\":{\"TTL\":\"5s\",\"HTTP\":\"http://10.0.0.1/\"}}", 400, "Check: has TTL and HTTP"),
                Arguments.of("script check", "{" + svc + ",\"Port\":80,\"Check\":{\"Args\":[\"/bin/true\"],\"Interval\":\"5s\"}}", 400, "Check.Args: Args checks are not supported"),
                Arguments.of("duplicate check ids", "{" + svc + ",\"Port\":80,\"Checks\":[{\"CheckID\":\"c\",\"TTL\":\"5s\"},{\"CheckID\":\"c\",\"TTL\":\"5s\"}]}", 400, "Checks[1].CheckID: duplicate check id"),
                Arguments.of("bad check Status", "{" + svc + ",\"Port\":80,\"Check\":{\"TTL\":\"5s\",\"Status\":\"ok\"}}", 400, "Check.Status: must be one of passing"),
                Arguments.of("oversized body", "{" + svc + ",\"Port\":80,\"Meta\":{\"k\":\"" + "x".repeat(MAX_BODY) + "\"}}", 413, "larger than the limit of 4096 bytes"));
    }

    @ParameterizedTest(name = "consul: {0}")
    @MethodSource("consulCases")
    void consulApi(String name, String body, int status, String message) {
        assertRejected(() -> api.send(api.request("/v1/agent/service/register").header("X-Consul-Token", api.token.value())
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build()), status, r -> {
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(r.body()).contains(message);
        });
    }

    private void assertRejected(java.util.function.Supplier<HttpResponse<String>> call, int status,
            java.util.function.Consumer<HttpResponse<String>> check) {
        long index = api.registry.index();
        String before = api.get("/api/v1/services").body();
        HttpResponse<String> r = call.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        check.accept(r);
        assertThat(r.body()).doesNotContain(api.token.value());
        assertThat(api.registry.index()).as("registry index").isEqualTo(index);
        assertThat(api.get("/api/v1/services").body()).as("service listing").isEqualTo(before);
    }
}
