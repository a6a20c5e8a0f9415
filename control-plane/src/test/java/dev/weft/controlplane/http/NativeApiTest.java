package dev.weft.controlplane.http;

import static dev.weft.controlplane.http.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeApiTest {
    static final String FULL = """
            {"address":"127.0.0.1","port":8080,"mesh_port":15006,"tags":["v1"],"meta":{"k":"v"},"zone":"z1","weight":3,
             "checks":[{"id":"c1","name":"heartbeat","type":"ttl","ttl":"10s","deregister_critical_after":"1m","status":"passing"},
                       {"type":"http","http":"http://127.0.0.1:8080/healthz","interval":"5s","timeout":"1s","status":"passing"},
                       {"type":"tcp","tcp":"127.0.0.1:8080","interval":"5s","status":"passing"}]}""";

    @TempDir
    Path dir;
    ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void registerReadAndDeregister() {
        HttpResponse<String> put = api.put("/api/v1/services/catalog/instances/catalog-1", FULL);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        long index = json(put).get("index").asLong();
        assertThat(index).isPositive().isEqualTo(api.registry.index());

        HttpResponse<String> list = api.get("/api/v1/services/catalog/instances");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("x-weft-index")).hasValue(Long.toString(index));
        JsonNode body = json(list);
        assertThat(body.get("index").asLong()).isEqualTo(index);
        assertThat(body.get("service").asText()).isEqualTo("catalog");
        JsonNode inst = body.get("instances").get(0);
        assertThat(inst.get("id").asText()).isEqualTo("catalog-1");
        assertThat(inst.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(inst.get("port").asInt()).isEqualTo(8080);
        assertThat(inst.get("mesh_port").asInt()).isEqualTo(15006);
        assertThat(inst.get("tags").toString()).isEqualTo("[\"v1\"]");
        assertThat(inst.get("meta").get("k").asText()).isEqualTo("v");
        assertThat(inst.get("zone").asText()).isEqualTo("z1");
        assertThat(inst.get("weight").asInt()).isEqualTo(3);
        assertThat(inst.get("status").asText()).isEqualTo("passing");
        assertThat(inst.get("create_index").asLong()).isEqualTo(index);
        JsonNode checks = inst.get("checks");
        assertThat(checks).hasSize(3);
        assertThat(checks.get(0).get("id").asText()).isEqualTo("c1");
        assertThat(checks.get(0).get("name").asText()).isEqualTo("heartbeat");
        assertThat(checks.get(0).get("ttl").asText()).isEqualTo("10s");
        assertThat(checks.get(0).get("deregister_critical_after").asText()).isEqualTo("1m0s");
        assertThat(checks.get(1).get("id").asText()).isEqualTo("service:catalog-1:2"); // Consul's default naming
        assertThat(checks.get(1).get("type").asText()).isEqualTo("http");
        assertThat(checks.get(2).get("id").asText()).isEqualTo("service:catalog-1:3");
        assertThat(checks.get(2).get("tcp").asText()).isEqualTo("127.0.0.1:8080");

        HttpResponse<String> one = api.get("/api/v1/services/catalog/instances/catalog-1");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).get("id").asText()).isEqualTo("catalog-1");
        assertThat(api.get("/api/v1/services/other/instances/catalog-1").statusCode()).isEqualTo(404);

        HttpResponse<String> services = api.get("/api/v1/services");
        assertThat(json(services).get("services").toString())
                .isEqualTo("[{\"name\":\"catalog\",\"instances\":1,\"passing\":1,\"warning\":0,\"critical\":0,\"tags\":[\"v1\"]}]");

        assertThat(api.delete("/api/v1/services/other/instances/catalog-1").statusCode()).isEqualTo(404);
        HttpResponse<String> del = api.delete("/api/v1/services/catalog/instances/catalog-1");
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        assertThat(json(del).get("index").asLong()).isGreaterThan(index);
        assertThat(json(api.get("/api/v1/services/catalog/instances")).get("instances")).isEmpty();
        HttpResponse<String> again = api.delete("/api/v1/services/catalog/instances/catalog-1");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(json(again).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void singleCheckWithoutIdIsNamedLikeConsul() {
        assertThat(api.put("/api/v1/services/web/instances/web-1",
                "{\"address\":\"::1\",\"port\":80,\"checks\":[{\"ttl\":\"5s\"}]}").statusCode()).isEqualTo(200);
        JsonNode inst = json(api.get("/api/v1/services/web/instances")).get("instances").get(0);
        assertThat(inst.get("checks").get(0).get("id").asText()).isEqualTo("service:web-1");
        assertThat(inst.get("status").asText()).isEqualTo("critical"); // checks start critical
        assertThat(inst.get("address").asText()).isEqualTo("::1");
    }

    @Test
    void unknownServiceIsAnEmptyListWithItsIndex() {
        HttpResponse<String> r = api.get("/api/v1/services/nothing-here/instances");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("instances")).isEmpty();
        assertThat(json(r).get("index").asLong()).isEqualTo(api.registry.serviceIndex("nothing-here"));
    }

    @Test
    void passingFilterAndTtlStatusReports() {
        api.put("/api/v1/services/web/instances/a", "{\"address\":\"10.0.0.1\",\"port\":80,\"checks\":[{\"id\":\"a-ttl\",\"ttl\":\"30s\"}]}");
        api.put("/api/v1/services/web/instances/b", "{\"address\":\"10.0.0.2\",\"port\":80,\"checks\":[{\"id\":\"b-ttl\",\"ttl\":\"30s\"}]}");
        assertThat(json(api.get("/api/v1/services/web/instances?passing=true")).get("instances")).isEmpty();
        assertThat(json(api.get("/api/v1/services/web/instances")).get("instances")).hasSize(2);

        HttpResponse<String> r = api.put("/api/v1/checks/a-ttl/status", "{\"status\":\"passing\",\"output\":\"all good\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode passing = json(api.get("/api/v1/services/web/instances?passing=true")).get("instances");
        assertThat(passing).hasSize(1);
        assertThat(passing.get(0).get("id").asText()).isEqualTo("a");
        assertThat(passing.get(0).get("checks").get(0).get("output").asText()).isEqualTo("all good");
        api.put("/api/v1/checks/b-ttl/status", "{\"status\":\"warning\"}");
        assertThat(json(api.get("/api/v1/services/web/instances?passing")).get("instances")).hasSize(1);
        assertThat(json(api.get("/api/v1/services")).get("services").get(0).get("warning").asInt()).isEqualTo(1);

        HttpResponse<String> unknown = api.put("/api/v1/checks/nope/status", "{\"status\":\"passing\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        api.put("/api/v1/services/web/instances/c", "{\"address\":\"10.0.0.3\",\"port\":80,\"checks\":[{\"id\":\"c-tcp\",\"tcp\":\"10.0.0.3:80\"}]}");
        HttpResponse<String> notTtl = api.put("/api/v1/checks/c-tcp/status", "{\"status\":\"passing\"}");
        assertThat(notTtl.statusCode()).isEqualTo(409);
        assertThat(json(notTtl).get("error").asText()).isEqualTo("conflict");
        HttpResponse<String> badStatus = api.put("/api/v1/checks/a-ttl/status", "{\"status\":\"great\"}");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).get("field").asText()).isEqualTo("status");
    }

    @Test
    void blockingQueryReturnsOnChangeWithTheNewIndex() throws Exception {
        long index = json(api.put("/api/v1/services/web/instances/a", "{\"address\":\"10.0.0.1\",\"port\":80}")).get("index").asLong();
        CompletableFuture<HttpResponse<String>> service = api.client.sendAsync(
                api.request("/api/v1/services/web/instances?index=" + index + "&wait=30s").GET().build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> catalog = api.client.sendAsync(
                api.request("/api/v1/services?index=" + index + "&wait=30s").GET().build(), HttpResponse.BodyHandlers.ofString());
        Thread.onSpinWait();
        assertThat(service).isNotDone();
        long next = json(api.put("/api/v1/services/web/instances/b", "{\"address\":\"10.0.0.2\",\"port\":80}")).get("index").asLong();
        HttpResponse<String> r = service.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(json(r).get("index").asLong()).isEqualTo(next);
        assertThat(json(r).get("instances")).hasSize(2);
        assertThat(json(catalog.get(10, java.util.concurrent.TimeUnit.SECONDS)).get("index").asLong()).isEqualTo(next);
    }

    @Test
    void blockingQueryTimesOutWithTheSameIndexAndIndexZeroReturnsAtOnce() {
        long index = json(api.put("/api/v1/services/web/instances/a", "{\"address\":\"10.0.0.1\",\"port\":80}")).get("index").asLong();
        Instant start = Instant.now();
        HttpResponse<String> r = api.get("/api/v1/services/web/instances?index=" + index + "&wait=300ms");
        Duration took = Duration.between(start, Instant.now());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("index").asLong()).isEqualTo(index);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(5));
        assertThat(api.get("/api/v1/services/web/instances?index=0&wait=10m").statusCode()).isEqualTo(200);
    }

    @Test
    void badBlockingParameters() {
        for (String q : new String[] {"index=-1", "index=abc", "index=1.5", "wait=forever", "wait=-1s", "wait=10"}) {
            HttpResponse<String> r = api.get("/api/v1/services/web/instances?" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(json(r).get("field").asText()).as(q).isEqualTo(q.substring(0, q.indexOf('=')));
        }
    }

    @Test
    void writesNeedTheAdminTokenReadsDoNot() {
        String body = "{\"address\":\"10.0.0.1\",\"port\":80}";
        HttpResponse<String> missing = api.send(api.request("/api/v1/services/web/instances/a").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).get("error").asText()).isEqualTo("unauthorized");
        HttpResponse<String> wrong = api.send(api.request("/api/v1/services/web/instances/a").header("X-Consul-Token", "nope")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(json(wrong).get("error").asText()).isEqualTo("forbidden");
        assertThat(wrong.body()).doesNotContain(api.token.value());
        HttpResponse<String> wrongDelete = api.send(api.request("/api/v1/services/web/instances/a").header("Authorization", "Bearer nope").DELETE().build());
        assertThat(wrongDelete.statusCode()).isEqualTo(403);
        assertThat(api.registry.services()).isEmpty();
        HttpResponse<String> consulHeader = api.send(api.request("/api/v1/services/web/instances/a").header("X-Consul-Token", api.token.value())
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(consulHeader.statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/services").statusCode()).isEqualTo(200);
    }

    @Test
    void healthAndUnknownRoutesAndMethods() {
        HttpResponse<String> h = api.get("/api/v1/health");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(json(h).get("status").asText()).isEqualTo("ok");
        assertThat(json(h).get("index").asLong()).isPositive();
        HttpResponse<String> none = api.get("/api/v1/nope");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(json(none).get("error").asText()).isEqualTo("not_found");
        HttpResponse<String> post = api.send(api.request("/api/v1/services").header("X-Weft-Token", api.token.value())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
    }
}
