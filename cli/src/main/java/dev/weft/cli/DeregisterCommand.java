package dev.weft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "deregister", mixinStandardHelpOptions = true, description = "Remove a service instance and its checks.")
final class DeregisterCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "INSTANCE_ID")
    String id;

    @Override
    public Integer call() {
        var resp = options.client().delete("/api/v1/services/" + RegisterCommand.enc(service) + "/instances/" + RegisterCommand.enc(id));
        System.out.println("deregistered " + service + "/" + id + " (index " + resp.path("index").asLong() + ")");
        return 0;
    }
}
