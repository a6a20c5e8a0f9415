package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "services", mixinStandardHelpOptions = true,
        description = "List registered services with their instance counts by health.")
final class ServicesCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Override
    public Integer call() throws Exception {
        JsonNode body = options.client().get("/api/v1/services");
        if (options.output == ClientOptions.OutputFormat.json) {
            System.out.println(ApiClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(body));
            return 0;
        }
        Table t = new Table("SERVICE", "INSTANCES", "PASSING", "WARNING", "CRITICAL", "TAGS");
        for (JsonNode s : body.path("services")) {
            List<String> tags = new ArrayList<>();
            s.path("tags").forEach(x -> tags.add(x.asText()));
            t.row(s.path("name").asText(), s.path("instances").asInt(), s.path("passing").asInt(),
                    s.path("warning").asInt(), s.path("critical").asInt(), tags.isEmpty() ? "-" : String.join(",", tags));
        }
        t.print(System.out);
        return 0;
    }
}
