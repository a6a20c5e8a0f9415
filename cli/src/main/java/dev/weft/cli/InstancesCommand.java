package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "instances", mixinStandardHelpOptions = true,
        description = "List the instances of a service with their health.")
final class InstancesCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service name.")
    String service;

    @Option(names = "--passing", description = "Only instances whose checks all pass.")
    boolean passing;

    @Override
    public Integer call() throws Exception {
        String path = "/api/v1/services/" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "/instances"
                + (passing ? "?passing=true" : "");
        JsonNode body = options.client().get(path);
        if (options.output == ClientOptions.OutputFormat.json) {
            System.out.println(ApiClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(body));
            return 0;
        }
        Table t = new Table("ID", "ADDRESS", "PORT", "MESH PORT", "ZONE", "WEIGHT", "STATUS", "TAGS");
        for (JsonNode i : body.path("instances")) {
            List<String> tags = new ArrayList<>();
            i.path("tags").forEach(x -> tags.add(x.asText()));
            int mesh = i.path("mesh_port").asInt();
            String zone = i.path("zone").asText();
            t.row(i.path("id").asText(), i.path("address").asText(), i.path("port").asInt(),
                    mesh == 0 ? "-" : mesh, zone.isEmpty() ? "-" : zone, i.path("weight").asInt(),
                    i.path("status").asText(), tags.isEmpty() ? "-" : String.join(",", tags));
        }
        t.print(System.out);
        return 0;
    }
}
