package dev.weft.cli;

import dev.weft.controlplane.ControlPlane;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = "Run the control plane: registry, health checks, HTTP API (native and Consul-compatible) and DNS.")
final class ControlPlaneCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Override
    public Integer call() throws Exception {
        ControlPlane cp;
        try {
            cp = ControlPlane.start(server.toConfig(null));
        } catch (RuntimeException e) {
            throw new CliException("cannot start the control plane: " + rootMessage(e));
        }
        if (cp.token().created()) {
            // On the terminal only, once: the log never carries the token.
            System.out.println("Admin token (shown once; stored 0600 in " + cp.config().dataDir().resolve("admin-token") + "):");
            System.out.println("  " + cp.token().value());
            System.out.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cp.close();
            stopped.countDown();
        }, "weft-shutdown"));
        stopped.await();
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = e.getMessage() != null ? e.getMessage() : t.toString();
        if (t != e && t.getMessage() != null && !m.contains(t.getMessage())) {
            m = m + ": " + t.getMessage();
        }
        return m;
    }
}
