package dev.weft.controlplane.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.weft.api.Names;
import dev.weft.api.ValidationException;
import dev.weft.api.registry.HealthStatus;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.NotFoundException;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Weft's own discovery API under {@code /api/v1}: resource-oriented, snake_case JSON. Reference: docs/api.md. */
final class NativeApi {
    private static final Logger log = LoggerFactory.getLogger(NativeApi.class);
    static final String INDEX_HEADER = "x-weft-index";

    private final Registry registry;

    NativeApi(Registry registry) {
        this.registry = registry;
    }

    Routes routes(AdminToken token, boolean insecureNoAuth) {
        return new Routes(Dialect.NATIVE, token, insecureNoAuth)
                .get("/api/v1/health", (ctx, req) -> ok(json().put("status", "ok").put("index", registry.index()), registry.index()))
                .get("/api/v1/services", this::listServices)
                .get("/api/v1/services/{service}/instances", this::listInstances)
                .get("/api/v1/services/{service}/instances/{id}", this::getInstance)
                .put("/api/v1/services/{service}/instances/{id}", this::register)
                .delete("/api/v1/services/{service}/instances/{id}", this::deregister)
                .put("/api/v1/checks/{check_id}/status", this::reportStatus);
    }

    private HttpResponse register(ServiceRequestContext ctx, HttpRequest req) {
        String service = ctx.pathParam("service");
        String id = ctx.pathParam("id");
        return Dialect.NATIVE.async(JsonBodies.object(ctx, req, Dialect.NATIVE)
                .thenCompose(body -> registry.register(NativeCodec.registration(service, id, body)))
                .thenApply(index -> {
                    log.info("registered api=native service={} instance={} index={}", service, id, index);
                    return ok(json().put("index", index), index);
                }));
    }

    private HttpResponse deregister(ServiceRequestContext ctx, HttpRequest req) {
        String service = ctx.pathParam("service");
        String id = ctx.pathParam("id");
        InstanceEntry e = registry.instance(id).orElse(null);
        if (e == null || !e.instance().service().equals(service)) {
            throw new NotFoundException("instance '" + id + "' is not registered in service '" + service + "'");
        }
        return Dialect.NATIVE.async(registry.deregister(id).thenApply(index -> {
            log.info("deregistered api=native service={} instance={} index={}", service, id, index);
            return ok(json().put("index", index), index);
        }));
    }

    private HttpResponse reportStatus(ServiceRequestContext ctx, HttpRequest req) {
        String checkId = ctx.pathParam("check_id");
        return Dialect.NATIVE.async(JsonBodies.object(ctx, req, Dialect.NATIVE)
                .thenCompose(body -> {
                    NativeCodec.StatusReport r = NativeCodec.statusReport(body);
                    return registry.reportTtl(checkId, r.status(), r.output());
                })
                .thenApply(index -> ok(json().put("index", index), index)));
    }

    private HttpResponse listServices(ServiceRequestContext ctx, HttpRequest req) {
        BlockingQuery q = BlockingQuery.parse(ctx.queryParams());
        return Dialect.NATIVE.async(q.await(ctx, registry::awaitCatalog, registry::index).thenApply(ignored -> {
            long index = registry.index();
            ObjectNode o = json().put("index", index);
            ArrayNode list = o.putArray("services");
            for (ServiceEntry s : registry.services()) {
                list.add(NativeCodec.serviceSummary(s));
            }
            return ok(o, index);
        }));
    }

    private HttpResponse listInstances(ServiceRequestContext ctx, HttpRequest req) {
        String service = Names.serviceName("service", ctx.pathParam("service"));
        boolean passingOnly = flag(ctx.queryParam("passing"), "passing");
        BlockingQuery q = BlockingQuery.parse(ctx.queryParams());
        return Dialect.NATIVE.async(q.await(ctx, (i, w) -> registry.awaitService(service, i, w), () -> registry.serviceIndex(service))
                .thenApply(ignored -> {
                    long index = registry.serviceIndex(service);
                    List<InstanceEntry> entries = registry.service(service).map(ServiceEntry::instances).orElse(List.of());
                    ObjectNode o = json().put("index", index).put("service", service);
                    ArrayNode list = o.putArray("instances");
                    for (InstanceEntry e : entries) {
                        if (!passingOnly || e.status() == HealthStatus.PASSING) {
                            list.add(NativeCodec.instance(e));
                        }
                    }
                    return ok(o, index);
                }));
    }

    private HttpResponse getInstance(ServiceRequestContext ctx, HttpRequest req) {
        String service = ctx.pathParam("service");
        String id = ctx.pathParam("id");
        InstanceEntry e = registry.service(service).flatMap(s -> s.instances().stream()
                .filter(i -> i.instance().id().equals(id)).findFirst()).orElse(null);
        if (e == null) {
            throw new NotFoundException("instance '" + id + "' is not registered in service '" + service + "'");
        }
        return ok(NativeCodec.instance(e), registry.serviceIndex(service));
    }

    /** {@code ?passing}, {@code ?passing=true} or {@code =1} turn a filter on; {@code false} or {@code 0} off. */
    static boolean flag(String value, String name) {
        if (value == null) {
            return false;
        }
        switch (value) {
            case "", "true", "1": return true;
            case "false", "0": return false;
            default: throw new ValidationException(name, "must be true or false");
        }
    }

    private static ObjectNode json() {
        return Dialect.JSON.createObjectNode();
    }

    private static HttpResponse ok(ObjectNode body, long index) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8)
                .set(INDEX_HEADER, Long.toString(index)).build(), HttpData.ofUtf8(body.toString()));
    }
}
