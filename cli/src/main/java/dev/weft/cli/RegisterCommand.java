package dev.weft.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Register (or replace) a service instance, with at most one health check.")
final class RegisterCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Option(names = "--service", required = true, description = "Service name (a DNS label).")
    String service;

    @Option(names = "--id", description = "Instance id (default: <service>-<address>-<port>).")
    String id;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "IP address of the app (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", required = true, description = "The app's port.")
    int port;

    @Option(names = "--mesh-port", description = "Inbound port of the Weft sidecar in front of the app.")
    Integer meshPort;

    @Option(names = "--tag", description = "A tag (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--meta", description = "Metadata KEY=VALUE (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--zone", description = "Locality of the instance.")
    String zone;

    @Option(names = "--weight", description = "Load-balancing weight, 1-10000.")
    Integer weight;

    @ArgGroup(exclusive = true)
    Check check;

    static final class Check {
        @Option(names = "--ttl", description = "A TTL check: report status within this duration (e.g. 10s).")
        String ttl;

        @Option(names = "--http-check", paramLabel = "URL", description = "An HTTP check: GET this URL.")
        String http;

        @Option(names = "--tcp-check", paramLabel = "HOST:PORT", description = "A TCP check: connect to this address.")
        String tcp;
    }

    @Option(names = "--interval", description = "Interval of an HTTP or TCP check (default 10s).")
    String interval;

    @Option(names = "--timeout", description = "Timeout of an HTTP or TCP check (default 5s).")
    String timeout;

    @Option(names = "--deregister-critical-after", description = "Deregister the instance after its check is critical this long.")
    String deregisterCriticalAfter;

    @Override
    public Integer call() throws Exception {
        String instanceId = id != null ? id : service + "-" + address.replace(':', '-') + "-" + port;
        ObjectNode body = ApiClient.json().createObjectNode();
        body.put("address", address);
        body.put("port", port);
        if (meshPort != null) {
            body.put("mesh_port", meshPort);
        }
        ArrayNode t = body.putArray("tags");
        tags.forEach(t::add);
        ObjectNode m = body.putObject("meta");
        meta.forEach(m::put);
        if (zone != null) {
            body.put("zone", zone);
        }
        if (weight != null) {
            body.put("weight", weight);
        }
        if (check != null) {
            ObjectNode c = body.putArray("checks").addObject();
            if (check.ttl != null) {
                c.put("type", "ttl").put("ttl", check.ttl);
            } else if (check.http != null) {
                c.put("type", "http").put("http", check.http);
            } else {
                c.put("type", "tcp").put("tcp", check.tcp);
            }
            if (interval != null) {
                c.put("interval", interval);
            }
            if (timeout != null) {
                c.put("timeout", timeout);
            }
            if (deregisterCriticalAfter != null) {
                c.put("deregister_critical_after", deregisterCriticalAfter);
            }
        }
        var resp = options.client().put("/api/v1/services/" + enc(service) + "/instances/" + enc(instanceId), body);
        System.out.println("registered " + service + "/" + instanceId + " (index " + resp.path("index").asLong() + ")");
        return 0;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
