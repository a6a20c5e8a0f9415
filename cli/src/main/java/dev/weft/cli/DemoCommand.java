package dev.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.controlplane.ControlPlane;
import dev.weft.demo.DemoTopology;
import dev.weft.demo.SampleService;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a control plane in a temporary data dir with a small sample application registered, "
                + "and print how to query it. Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("weft-demo-");
        ControlPlane cp;
        try {
            cp = ControlPlane.start(server.toConfig(dataDir));
        } catch (RuntimeException e) {
            throw new CliException("cannot start the demo's control plane: " + ControlPlaneCommand.rootMessage(e)
                    + " (another control plane running? try --http-port 0 --dns-port 0 --xds-port 0)");
        }
        List<SampleService> apps = new ArrayList<>();
        InetAddress bind = cp.config().bind();
        // The demo registers through the public API, as any client would; the token stays in memory.
        ApiClient api = new ApiClient(java.net.URI.create(cp.httpUrl()), cp.token().value());
        for (DemoTopology.DemoInstance d : DemoTopology.INSTANCES) {
            SampleService app = SampleService.start(d.service(), d.id(), bind);
            app.setHealthy(d.healthy());
            apps.add(app);
            ObjectNode body = ApiClient.json().createObjectNode();
            body.put("address", bind.getHostAddress());
            body.put("port", app.port());
            body.put("zone", d.zone());
            var tags = body.putArray("tags");
            d.tags().forEach(tags::add);
            ObjectNode check = body.putArray("checks").addObject();
            check.put("id", d.id() + "-http");
            check.put("type", "http");
            check.put("http", "http://" + urlHost(bind) + ":" + app.port() + "/healthz");
            check.put("interval", "1s");
            check.put("timeout", "1s");
            api.put("/api/v1/services/" + d.service() + "/instances/" + d.id(), body);
        }
        String dns = "dig @" + bind.getHostAddress() + " -p " + cp.dnsPort();
        String domain = cp.config().domain();
        System.out.println();
        System.out.println("Weft demo is running: a control plane with " + apps.size() + " sample instances"
                + " (inventory-2 fails its health check on purpose).");
        System.out.println();
        System.out.println("  Control plane   " + cp.httpUrl() + "   (data dir " + dataDir + ")");
        System.out.println("  Services        ./weft services --control-plane " + cp.httpUrl());
        System.out.println("  Instances       ./weft instances inventory --control-plane " + cp.httpUrl());
        System.out.println("  HTTP API        curl -s " + cp.httpUrl() + "/api/v1/services/catalog/instances");
        System.out.println("  Consul API      curl -s '" + cp.httpUrl() + "/v1/health/service/inventory?passing'");
        System.out.println("  DNS (A)         " + dns + " catalog.service." + domain + " A +short");
        System.out.println("  DNS (SRV)       " + dns + " _catalog._tcp.service." + domain + " SRV");
        System.out.println("  DNS (tag)       " + dns + " v2.catalog.service." + domain + " SRV +short");
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            apps.forEach(SampleService::close);
            cp.close();
            deleteTree(dataDir);
            stopped.countDown();
        }, "weft-demo-shutdown"));
        stopped.await();
        return 0;
    }

    private static String urlHost(InetAddress a) {
        String h = a.getHostAddress();
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
