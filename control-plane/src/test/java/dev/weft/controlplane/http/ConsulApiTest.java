package dev.weft.controlplane.http;

import static dev.weft.controlplane.http.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsulApiTest {
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

    HttpResponse<String> put(String path, String body) {
        return api.send(api.request(path).header("X-Consul-Token", api.token.value()).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static final String REDIS = """
            {"name":"redis","id":"redis1","tags":["primary","v1"],"address":"10.0.0.5","port":6379,
             "meta":{"redis_version":"4.0","weft-mesh-port":"15006","weft-zone":"z1"},"EnableTagOverride":false,
             "Weights":{"Passing":10,"Warning":1},"Connect":{"Native":false},"Kind":"",
             "check":{"DeregisterCriticalServiceAfter":"90m","TTL":"15s","Notes":"ttl"},
             "checks":[{"http":"http://10.0.0.5:8080/health","interval":"10s","timeout":"1s","Method":"GET"}]}""";

    @Test
    void registerCaseInsensitivelyAndReadCatalogAndHealth() {
        HttpResponse<String> r = put("/v1/agent/service/register?replace-existing-checks=true", REDIS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        HttpResponse<String> services = api.get("/v1/catalog/services");
        assertThat(services.statusCode()).isEqualTo(200);
        assertThat(services.body()).isEqualTo("{\"redis\":[\"primary\",\"v1\"]}");
        assertThat(Long.parseLong(services.headers().firstValue("x-consul-index").orElseThrow())).isEqualTo(api.registry.index());
        assertThat(services.headers().firstValue("x-consul-knownleader")).hasValue("true");
        assertThat(services.headers().firstValue("x-consul-lastcontact")).hasValue("0");

        JsonNode cat = json(api.get("/v1/catalog/service/redis"));
        assertThat(cat).hasSize(1);
        JsonNode c = cat.get(0);
        assertThat(c.get("Node").asText()).isEqualTo("weft-10.0.0.5");
        assertThat(c.get("ID").asText()).matches("[0-9a-f-]{36}");
        assertThat(c.get("Address").asText()).isEqualTo("10.0.0.5");
        assertThat(c.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(c.get("ServiceID").asText()).isEqualTo("redis1");
        assertThat(c.get("ServiceName").asText()).isEqualTo("redis");
        assertThat(c.get("ServicePort").asInt()).isEqualTo(6379);
        assertThat(c.get("ServiceAddress").asText()).isEqualTo("10.0.0.5");
        assertThat(c.get("ServiceTags").toString()).isEqualTo("[\"primary\",\"v1\"]");
        assertThat(c.get("ServiceMeta").get("redis_version").asText()).isEqualTo("4.0");
        assertThat(c.get("ServiceWeights").get("Passing").asInt()).isEqualTo(10);
        assertThat(c.get("ServiceKind").asText()).isEmpty();
        assertThat(c.get("ServiceEnableTagOverride").asBoolean()).isFalse();
        assertThat(c.get("CreateIndex").asLong()).isPositive();
        assertThat(json(api.get("/v1/catalog/service/redis?tag=primary"))).hasSize(1);
        assertThat(json(api.get("/v1/catalog/service/redis?tag=primary&tag=replica"))).isEmpty();

        // Weft extensions in Meta
        JsonNode nativeView = json(api.get("/api/v1/services/redis/instances/redis1"));
        assertThat(nativeView.get("mesh_port").asInt()).isEqualTo(15006);
        assertThat(nativeView.get("zone").asText()).isEqualTo("z1");
        assertThat(nativeView.get("checks").get(0).get("id").asText()).isEqualTo("service:redis1:1");
        assertThat(nativeView.get("checks").get(0).get("deregister_critical_after").asText()).isEqualTo("1h30m0s");

        JsonNode health = json(api.get("/v1/health/service/redis"));
        assertThat(health).hasSize(1);
        JsonNode h = health.get(0);
        assertThat(h.get("Node").get("Node").asText()).isEqualTo("weft-10.0.0.5");
        assertThat(h.get("Service").get("ID").asText()).isEqualTo("redis1");
        assertThat(h.get("Service").get("Service").asText()).isEqualTo("redis");
        assertThat(h.get("Service").get("Port").asInt()).isEqualTo(6379);
        JsonNode checks = h.get("Checks");
        assertThat(checks).hasSize(3);
        assertThat(checks.get(0).get("CheckID").asText()).isEqualTo("serfHealth");
        assertThat(checks.get(0).get("Status").asText()).isEqualTo("passing");
        assertThat(checks.get(1).get("CheckID").asText()).isEqualTo("service:redis1:1");
        assertThat(checks.get(1).get("Name").asText()).isEqualTo("Service 'redis' check");
        assertThat(checks.get(1).get("Type").asText()).isEqualTo("ttl");
        assertThat(checks.get(1).get("Status").asText()).isEqualTo("critical");
        assertThat(checks.get(2).get("Type").asText()).isEqualTo("http");
        assertThat(json(api.get("/v1/health/service/redis?passing"))).isEmpty();
        assertThat(json(api.get("/v1/health/service/unknown"))).isEmpty();
    }

    @Test
    void ttlCheckPassWarnFailUpdateAndDeregister() {
        assertThat(put("/v1/agent/service/register", "{\"Name\":\"web\",\"Port\":80,\"Check\":{\"CheckID\":\"web-ttl\",\"TTL\":\"30s\"}}").statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/catalog/service/web")).get(0).get("ServiceAddress").asText()).isEqualTo("127.0.0.1"); // address default
        assertThat(put("/v1/agent/check/pass/web-ttl?note=fine", "").statusCode()).isEqualTo(200);
        JsonNode passing = json(api.get("/v1/health/service/web?passing=1"));
        assertThat(passing).hasSize(1);
        assertThat(passing.get(0).get("Checks").get(1).get("Output").asText()).isEqualTo("fine");
        assertThat(put("/v1/agent/check/warn/web-ttl", "").statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/health/service/web?passing"))).isEmpty();
        assertThat(put("/v1/agent/check/update/web-ttl", "{\"Status\":\"passing\",\"Output\":\"back\"}").statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/health/service/web?passing=true"))).hasSize(1);
        assertThat(put("/v1/agent/check/fail/web-ttl", "").statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/health/service/web")).get(0).get("Checks").get(1).get("Status").asText()).isEqualTo("critical");

        HttpResponse<String> badStatus = put("/v1/agent/check/update/web-ttl", "{\"Status\":\"meh\"}");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(badStatus.body()).isEqualTo("Invalid check status: 'meh'");
        HttpResponse<String> unknownCheck = put("/v1/agent/check/pass/nope", "");
        assertThat(unknownCheck.statusCode()).isEqualTo(404);
        assertThat(unknownCheck.body()).startsWith("Unknown check ID \"nope\"");

        HttpResponse<String> unknown = put("/v1/agent/service/deregister/nope", "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("Unknown service ID \"nope\". Ensure that the service ID is passed, not the service name.");
        assertThat(put("/v1/agent/service/deregister/web", "").statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/catalog/services").body()).isEqualTo("{}");
    }

    @Test
    void legacyGetWritesStillNeedTheToken() {
        assertThat(put("/v1/agent/service/register", "{\"Name\":\"web\",\"Port\":80,\"Check\":{\"CheckID\":\"web-ttl\",\"TTL\":\"30s\"}}").statusCode()).isEqualTo(200);
        long index = api.registry.index();
        // Consul 0.x clients (python-consul 0.7) send GET for pass/warn/fail and deregister.
        assertThat(api.get("/v1/agent/check/pass/web-ttl").statusCode()).isEqualTo(401);
        assertThat(api.get("/v1/agent/service/deregister/web").statusCode()).isEqualTo(401);
        assertThat(api.registry.index()).isEqualTo(index);
        HttpResponse<String> pass = api.send(api.request("/v1/agent/check/pass/web-ttl").header("X-Consul-Token", api.token.value()).GET().build());
        assertThat(pass.statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/health/service/web?passing"))).hasSize(1);
        HttpResponse<String> gone = api.send(api.request("/v1/agent/service/deregister/web").header("X-Consul-Token", api.token.value()).GET().build());
        assertThat(gone.statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/catalog/services").body()).isEqualTo("{}");
    }

    @Test
    void blockingCatalogQueryWakesOnDeregister() throws Exception {
        put("/v1/agent/service/register", "{\"Name\":\"web\",\"Port\":80}");
        String index = api.get("/v1/catalog/services").headers().firstValue("x-consul-index").orElseThrow();
        CompletableFuture<HttpResponse<String>> watch = api.client.sendAsync(
                api.request("/v1/catalog/services?index=" + index + "&wait=1m&stale").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(watch).isNotDone();
        put("/v1/agent/service/deregister/web", "");
        HttpResponse<String> r = watch.get(10, TimeUnit.SECONDS);
        assertThat(r.body()).isEqualTo("{}");
        assertThat(Long.parseLong(r.headers().firstValue("x-consul-index").orElseThrow())).isGreaterThan(Long.parseLong(index));
        HttpResponse<String> badIndex = api.get("/v1/health/service/web?index=x");
        assertThat(badIndex.statusCode()).isEqualTo(400);
        assertThat(badIndex.body()).startsWith("Invalid index");
    }

    @Test
    void statusAgentSelfDatacenterAndTokens() {
        assertThat(api.get("/v1/status/leader").body()).isEqualTo("\"127.0.0.1:8300\"");
        assertThat(api.get("/v1/status/peers").body()).isEqualTo("[\"127.0.0.1:8300\"]");
        JsonNode self = json(api.get("/v1/agent/self"));
        assertThat(self.get("Config").get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(self.get("Config").get("NodeName").asText()).isEqualTo("weft");
        assertThat(self.get("Config").get("Server").asBoolean()).isTrue();
        assertThat(self.get("Member").get("Port").asInt()).isEqualTo(8301);
        assertThat(self.get("Member").get("Tags").get("dc").asText()).isEqualTo("dc1");

        HttpResponse<String> otherDc = api.get("/v1/catalog/services?dc=dc2");
        assertThat(otherDc.statusCode()).isEqualTo(500);
        assertThat(otherDc.body()).isEqualTo("No path to datacenter");
        assertThat(api.get("/v1/catalog/services?dc=dc1&ns=default&consistent").statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/health/service/web?filter=Service.Port==80").statusCode()).isEqualTo(400);

        String body = "{\"Name\":\"web\",\"Port\":80}";
        HttpResponse<String> none = api.send(api.request("/v1/agent/service/register").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(none.statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = api.send(api.request("/v1/agent/service/register?token=wrong").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).startsWith("Permission denied");
        assertThat(api.registry.services()).isEmpty();
        HttpResponse<String> query = api.send(api.request("/v1/agent/service/register?token=" + api.token.value())
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(query.statusCode()).isEqualTo(200);
        HttpResponse<String> bearer = api.send(api.request("/v1/agent/service/register").header("Authorization", "Bearer " + api.token.value())
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(bearer.statusCode()).isEqualTo(200);
    }
}
