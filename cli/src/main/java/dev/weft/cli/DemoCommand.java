package dev.weft.cli;

import dev.weft.controlplane.ControlPlane;
import dev.weft.demo.DemoTopology;
import dev.weft.demo.SampleService;
import dev.weft.demo.TrafficGenerator;
import dev.weft.proxy.MeshSidecar;
import dev.weft.proxy.SidecarOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a whole mesh on this machine: a control plane in a temporary data dir, a small shop "
                + "(frontend -> catalog x2 -> inventory x2, frontend -> ratings), each instance behind its own sidecar, "
                + "and a steady traffic generator. Prints where to look. Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--rate", defaultValue = "10", description = "Requests per second the traffic generator sends to frontend (default: ${DEFAULT-VALUE}).")
    int rate;

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
        InetAddress bind = cp.config().bind();
        List<AutoCloseable> running = new ArrayList<>();
        List<String> sidecarLines = new ArrayList<>();
        TrafficGenerator traffic;
        try {
            for (DemoTopology.DemoInstance d : DemoTopology.INSTANCES) {
                SampleService app = SampleService.start(d.service(), d.id(), bind);
                app.setHealthy(d.healthy());
                running.add(app);
                MeshSidecar sidecar = startSidecar(cp, dataDir, d.service(), d.id(), d.zone(), d.tags(), app.port());
                running.add(sidecar);
                app.callThrough(new InetSocketAddress(bind, sidecar.sidecar().outboundPort()), d.calls());
                sidecarLines.add(String.format("  %-12s outbound %-5d inbound %-5d admin http://%s:%d/clusters",
                        d.id(), sidecar.sidecar().outboundPort(), sidecar.sidecar().inboundPort(), host(bind),
                        sidecar.sidecar().adminPort()));
            }
            // The traffic generator is an app too, with its own sidecar: it reaches frontend through the mesh.
            SampleService loadgenApp = SampleService.start("loadgen", "loadgen-1", bind);
            running.add(loadgenApp);
            MeshSidecar loadgen = startSidecar(cp, dataDir, "loadgen", "loadgen-1", "zone-a", List.of(), loadgenApp.port());
            running.add(loadgen);
            InetSocketAddress loadgenProxy = new InetSocketAddress(bind, loadgen.sidecar().outboundPort());
            // Start the traffic once the path through the mesh works, so the counters start clean.
            boolean ready = TrafficGenerator.awaitServing(loadgenProxy, "frontend", Duration.ofSeconds(30));
            traffic = TrafficGenerator.start(loadgenProxy, "frontend", rate);
            running.add(traffic);
            sidecarLines.add(String.format("  %-12s outbound %-5d inbound %-5d admin http://%s:%d/clusters", "loadgen-1",
                    loadgen.sidecar().outboundPort(), loadgen.sidecar().inboundPort(), host(bind), loadgen.sidecar().adminPort()));

            String dns = "dig @" + bind.getHostAddress() + " -p " + cp.dnsPort();
            String domain = cp.config().domain();
            System.out.println();
            System.out.println("Weft demo is running: a control plane, " + DemoTopology.INSTANCES.size()
                    + " sample instances each behind its own sidecar, and traffic at " + rate + " requests/s"
                    + " (inventory-2 fails its health check on purpose).");
            System.out.println();
            System.out.println("  Control plane   " + cp.httpUrl() + "   (xDS " + host(bind) + ":" + cp.xdsPort()
                    + ", data dir " + dataDir + ")");
            System.out.println("  Through a sidecar   curl -s -x http://" + host(bind) + ":" + loadgen.sidecar().outboundPort()
                    + " http://frontend/");
            System.out.println("  Mesh errors         curl -si -x http://" + host(bind) + ":" + loadgen.sidecar().outboundPort()
                    + " http://nosuchservice/");
            System.out.println("  Services        ./weft services --control-plane " + cp.httpUrl());
            System.out.println("  Instances       ./weft instances catalog --control-plane " + cp.httpUrl());
            System.out.println("  Metrics         curl -s http://" + host(bind) + ":" + loadgen.sidecar().adminPort() + "/metrics | grep weft_requests_total");
            System.out.println("  Consul API      curl -s '" + cp.httpUrl() + "/v1/health/service/inventory?passing'");
            System.out.println("  DNS             " + dns + " _catalog._tcp.service." + domain + " SRV");
            System.out.println();
            System.out.println("Sidecars (ports on " + bind.getHostAddress() + "):");
            sidecarLines.forEach(System.out::println);
            System.out.println();
            if (!ready) {
                System.out.println("(frontend did not answer through the mesh within 30 s: see the log above)");
            }
            System.out.println("Press Ctrl-C to stop.");
            System.out.flush();
        } catch (RuntimeException | java.io.IOException e) {
            closeAll(running);
            cp.close();
            throw new CliException("cannot start the demo: " + ControlPlaneCommand.rootMessage(e));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(running);
            cp.close();
            deleteTree(dataDir);
            stopped.countDown();
        }, "weft-demo-shutdown"));
        stopped.await();
        return 0;
    }

    private static MeshSidecar startSidecar(ControlPlane cp, Path dataDir, String service, String id, String zone,
                                            List<String> tags, int appPort) {
        InetAddress bind = cp.config().bind();
        SidecarOptions options = SidecarOptions.defaults().withBindAddress(bind).withPorts(0, 0, 0).withEventLoopThreads(1);
        return MeshSidecar.start(new MeshSidecar.Options(options, service, id, bind.getHostAddress(), appPort, "/healthz",
                zone, tags, URI.create(cp.httpUrl()), new InetSocketAddress(bind, cp.xdsPort()), cp.token().value(),
                dataDir.resolve("sidecars").resolve(id), Duration.ofSeconds(1),
                // the whole mesh stops together: no caller to wait for, so no propagation delay
                Duration.ZERO, Duration.ofSeconds(2)));
    }

    /** Reverse order: traffic first, then sidecars (which deregister), then apps. */
    private static void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("weft demo: error while stopping: " + e);
            }
        }
        running.clear();
    }

    private static String host(InetAddress a) {
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
