package dev.weft.controlplane.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.weft.api.ValidationException;
import dev.weft.api.registry.HealthStatus;
import dev.weft.api.registry.Instance;
import dev.weft.api.registry.Registration;
import dev.weft.controlplane.registry.ConflictException;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.NotFoundException;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.registry.ServiceEntry;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Consul-compatible subset under {@code /v1}: enough of the agent, catalog, health and status
 * endpoints for Consul clients (Prometheus' consul_sd, Spring Cloud Consul, go-consul's api
 * package) to register and discover unchanged. Differences from Consul: docs/api.md.
 */
final class ConsulApi {
    private static final Logger log = LoggerFactory.getLogger(ConsulApi.class);
    static final String CONSUL_VERSION = "1.17.0";
    static final int SERVER_RPC_PORT = 8300;
    static final int SERF_LAN_PORT = 8301;

    private final Registry registry;
    private final HttpApiConfig config;
    private final String advertise;

    ConsulApi(Registry registry, HttpApiConfig config) {
        this.registry = registry;
        this.config = config;
        InetAddress bind = config.bind();
        this.advertise = bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
    }

    Routes routes(AdminToken token, boolean insecureNoAuth) {
        return new Routes(Dialect.CONSUL, token, insecureNoAuth)
                .put("/v1/agent/service/register", this::register)
                .putOrLegacyGet("/v1/agent/service/deregister/{id}", this::deregister)
                .putOrLegacyGet("/v1/agent/check/pass/{check_id}", (ctx, req) -> checkNote(ctx, HealthStatus.PASSING))
                .putOrLegacyGet("/v1/agent/check/warn/{check_id}", (ctx, req) -> checkNote(ctx, HealthStatus.WARNING))
                .putOrLegacyGet("/v1/agent/check/fail/{check_id}", (ctx, req) -> checkNote(ctx, HealthStatus.CRITICAL))
                .put("/v1/agent/check/update/{check_id}", this::checkUpdate)
                .get("/v1/agent/self", this::agentSelf)
                .get("/v1/catalog/services", this::catalogServices)
                .get("/v1/catalog/service/{name}", (ctx, req) -> serviceQuery(ctx, false))
                .get("/v1/health/service/{name}", (ctx, req) -> serviceQuery(ctx, true))
                .get("/v1/status/leader", (ctx, req) -> read(ctx, Dialect.JSON.getNodeFactory().textNode(leader()), registry.index()))
                .get("/v1/status/peers", (ctx, req) -> read(ctx, Dialect.JSON.createArrayNode().add(leader()), registry.index()));
    }

    // ---- agent writes -------------------------------------------------------------------------

    private HttpResponse register(ServiceRequestContext ctx, HttpRequest req) {
        return Dialect.CONSUL.async(JsonBodies.object(ctx, req, Dialect.CONSUL)
                .thenCompose(body -> {
                    Registration r;
                    try {
                        r = ConsulCodec.registration(body);
                    } catch (ValidationException e) {
                        throw ConsulCodec.error(e);
                    }
                    return registry.register(r).thenApply(index -> {
                        log.info("registered api=consul service={} instance={} index={}", r.instance().service(), r.instance().id(), index);
                        return emptyOk();
                    });
                }));
    }

    private HttpResponse deregister(ServiceRequestContext ctx, HttpRequest req) {
        String id = ctx.pathParam("id");
        return Dialect.CONSUL.async(registry.deregister(id)
                .thenApply(index -> {
                    log.info("deregistered api=consul instance={} index={}", id, index);
                    return emptyOk();
                })
                .exceptionally(t -> {
                    if (unwrap(t) instanceof NotFoundException) {
                        throw ApiException.notFound("Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
                    }
                    throw new CompletionException(t);
                }));
    }

    private HttpResponse checkNote(ServiceRequestContext ctx, HealthStatus status) {
        String note = ctx.queryParam("note");
        return reportTtl(ctx.pathParam("check_id"), status, note == null ? "" : note);
    }

    private HttpResponse checkUpdate(ServiceRequestContext ctx, HttpRequest req) {
        String checkId = ctx.pathParam("check_id");
        return Dialect.CONSUL.async(JsonBodies.object(ctx, req, Dialect.CONSUL)
                .thenApply(ConsulCodec::statusUpdate)
                .thenApply(u -> reportTtl(checkId, u.status(), u.output())));
    }

    private HttpResponse reportTtl(String checkId, HealthStatus status, String output) {
        return Dialect.CONSUL.async(registry.reportTtl(checkId, status, output)
                .thenApply(index -> emptyOk())
                .exceptionally(t -> {
                    Throwable cause = unwrap(t);
                    if (cause instanceof NotFoundException) {
                        throw ApiException.notFound("Unknown check ID \"" + checkId + "\". Ensure that the check ID is passed, not the check name.");
                    }
                    if (cause instanceof ConflictException) {
                        throw new ApiException(HttpStatus.CONFLICT, "conflict", "", "CheckID \"" + checkId + "\" does not have associated TTL");
                    }
                    throw new CompletionException(t);
                }));
    }

    // ---- reads --------------------------------------------------------------------------------

    private HttpResponse agentSelf(ServiceRequestContext ctx, HttpRequest req) {
        ObjectNode o = Dialect.JSON.createObjectNode();
        o.putObject("Config")
                .put("Datacenter", config.datacenter())
                .put("PrimaryDatacenter", config.datacenter())
                .put("NodeName", config.nodeName())
                .put("NodeID", ConsulCodec.nodeId(config.nodeName()))
                .put("Server", true)
                .put("Revision", "weft")
                .put("Version", CONSUL_VERSION);
        ObjectNode member = o.putObject("Member")
                .put("Name", config.nodeName())
                .put("Addr", advertise)
                .put("Port", SERF_LAN_PORT);
        member.putObject("Tags").put("dc", config.datacenter()).put("role", "consul").put("port", Integer.toString(SERVER_RPC_PORT))
                .put("build", CONSUL_VERSION + ":weft").put("id", ConsulCodec.nodeId(config.nodeName()));
        member.put("Status", 1);
        o.putObject("Meta");
        return read(ctx, o, registry.index());
    }

    private HttpResponse catalogServices(ServiceRequestContext ctx, HttpRequest req) {
        checkCommonParams(ctx);
        BlockingQuery q = parseBlocking(ctx);
        return Dialect.CONSUL.async(q.await(ctx, registry::awaitCatalog, registry::index).thenApply(ignored -> {
            long index = registry.index();
            ObjectNode o = Dialect.JSON.createObjectNode();
            for (ServiceEntry s : registry.services()) {
                TreeSet<String> tags = new TreeSet<>();
                s.instances().forEach(e -> tags.addAll(e.instance().tags()));
                ArrayNode a = o.putArray(s.name());
                tags.forEach(a::add);
            }
            return read(ctx, o, index);
        }));
    }

    /** {@code /v1/catalog/service/:name} and {@code /v1/health/service/:name}: same query, two shapes. */
    private HttpResponse serviceQuery(ServiceRequestContext ctx, boolean health) {
        String name = ctx.pathParam("name");
        checkCommonParams(ctx);
        boolean passingOnly = health && NativeApi.flag(ctx.queryParam("passing"), "passing");
        List<String> tags = ctx.queryParams("tag").stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
        BlockingQuery q = parseBlocking(ctx);
        return Dialect.CONSUL.async(q.await(ctx, (i, w) -> registry.awaitService(name, i, w), () -> registry.serviceIndex(name))
                .thenApply(ignored -> {
                    long index = registry.serviceIndex(name);
                    List<InstanceEntry> entries = registry.service(name).map(ServiceEntry::instances).orElse(List.of());
                    ArrayNode out = Dialect.JSON.createArrayNode();
                    for (InstanceEntry e : entries) {
                        if (passingOnly && e.status() != HealthStatus.PASSING) {
                            continue;
                        }
                        if (!hasTags(e.instance(), tags)) {
                            continue;
                        }
                        out.add(health ? ConsulCodec.healthEntry(e, config.datacenter()) : ConsulCodec.catalogService(e, config.datacenter()));
                    }
                    return read(ctx, out, index);
                }));
    }

    private static boolean hasTags(Instance i, List<String> wanted) {
        for (String t : wanted) {
            if (!i.tags().contains(t)) {
                return false;
            }
        }
        return true;
    }

    private BlockingQuery parseBlocking(ServiceRequestContext ctx) {
        try {
            return BlockingQuery.parse(ctx.queryParams());
        } catch (ValidationException e) {
            throw ApiException.badRequest(e.field(), e.field().equals("index") ? "Invalid index: " + e.reason() : "Invalid wait time: " + e.reason());
        }
    }

    /** {@code ?dc} must name our datacenter; {@code ?filter} expressions are not supported. Others are ignored. */
    private void checkCommonParams(ServiceRequestContext ctx) {
        String dc = ctx.queryParam("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(config.datacenter())) {
            throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "no_path_to_datacenter", "dc", "No path to datacenter");
        }
        String filter = ctx.queryParam("filter");
        if (filter != null && !filter.isEmpty()) {
            throw ApiException.badRequest("filter", "Weft does not support ?filter expressions; use ?tag= and ?passing");
        }
    }

    private String leader() {
        return (advertise.indexOf(':') >= 0 ? "[" + advertise + "]" : advertise) + ":" + SERVER_RPC_PORT;
    }

    private HttpResponse read(ServiceRequestContext ctx, JsonNode body, long index) {
        ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8)
                .set("x-consul-index", Long.toString(Math.max(1, index)))
                .set("x-consul-knownleader", "true")
                .set("x-consul-lastcontact", "0");
        String text;
        try {
            text = ctx.queryParams().contains("pretty")
                    ? Dialect.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) : Dialect.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return HttpResponse.of(h.build(), HttpData.ofUtf8(text));
    }

    /** Consul answers agent writes with 200 and an empty body. */
    private static HttpResponse emptyOk() {
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK), HttpData.empty());
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

}
