package dev.weft.cli;

import dev.weft.proxy.MeshSidecar;
import dev.weft.proxy.SidecarOptions;
import dev.weft.proxy.config.UpstreamProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Run a sidecar in front of one service instance: registers it, reports its health, "
                + "takes its configuration over xDS and carries its traffic (outbound HTTP proxy, inbound listener).")
final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--service", required = true, description = "The service this instance belongs to (a DNS label).")
    String service;

    @Option(names = "--app-port", required = true, description = "The local app's port.")
    int appPort;

    @Option(names = "--app-protocol", paramLabel = "http1|http2|grpc", defaultValue = "http1",
            converter = AppProtocolConverter.class,
            description = "HTTP version the local app speaks: http1 (HTTP/1.1), http2 (HTTP/2 cleartext with prior knowledge, h2c) "
                    + "or grpc (the same as http2, what gRPC servers speak) (default: ${DEFAULT-VALUE}).")
    UpstreamProtocol appProtocol;

    @Option(names = "--app-health-path", description = "HTTP path probed on the app (2xx/3xx healthy); without it a TCP connect is the probe.")
    String appHealthPath;

    @Option(names = "--instance-id", description = "Registry id of the instance (default: <service>-<address>-<inbound port>).")
    String instanceId;

    @Option(names = "--address", description = "Address other sidecars reach this one at (default: --bind).")
    String address;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address the listeners bind (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--outbound-port", defaultValue = "15001", description = "Outbound listener: the app's HTTP proxy (default: ${DEFAULT-VALUE}).")
    int outboundPort;

    @Option(names = "--inbound-port", defaultValue = "15006", description = "Inbound listener in front of the app (default: ${DEFAULT-VALUE}).")
    int inboundPort;

    @Option(names = "--admin-port", defaultValue = "15000", description = "Admin listener: /ready, /metrics, /config_dump, /clusters (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--event-loops", description = "Event loop threads (default: number of processors).")
    Integer eventLoops;

    @Option(names = "--zone", description = "Locality of the instance.")
    String zone;

    @Option(names = "--tag", description = "A tag for the instance (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--control-plane", paramLabel = "URL", defaultValue = "${env:WEFT_CONTROL_PLANE:-http://127.0.0.1:15010}",
            description = "Control plane HTTP API (default: ${DEFAULT-VALUE}).")
    URI controlPlane;

    @Option(names = "--xds", paramLabel = "HOST:PORT", description = "Control plane xDS address (default: the control plane's host, port 15012).")
    String xds;

    @Option(names = "--token", description = "Token for the control plane. Prefer the WEFT_TOKEN environment variable: "
            + "a command line is visible to every user of the machine.")
    String token;

    @Option(names = "--state-dir", description = "Where the last accepted configuration is kept (default: ~/.weft/proxy/<service>-<inbound port>).")
    Path stateDir;

    @Option(names = "--health-interval", defaultValue = "2s", description = "How often the app is probed and its health reported (default: ${DEFAULT-VALUE}).")
    String healthInterval;

    @Option(names = "--drain-propagation", defaultValue = "3s", description = "On SIGTERM: how long to keep serving after "
            + "deregistering, so that callers learn of it (default: ${DEFAULT-VALUE}).")
    String drainPropagation;

    @Option(names = "--drain-timeout", defaultValue = "15s", description = "On SIGTERM: how long requests in flight may take "
            + "to finish before their connections are closed (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Override
    public Integer call() throws Exception {
        InetAddress bindAddress = ip("--bind", bind);
        String advertised = address != null ? ip("--address", address).getHostAddress() : bindAddress.getHostAddress();
        SidecarOptions sidecar = SidecarOptions.defaults().withBindAddress(bindAddress)
                .withPorts(outboundPort, inboundPort, adminPort);
        if (eventLoops != null) {
            sidecar = sidecar.withEventLoopThreads(eventLoops);
        }
        String tokenValue = token != null ? token : System.getenv("WEFT_TOKEN");
        Path state = stateDir != null ? stateDir
                : Path.of(System.getProperty("user.home"), ".weft", "proxy", service + "-" + inboundPort);
        MeshSidecar running;
        try {
            running = MeshSidecar.start(new MeshSidecar.Options(sidecar, service, instanceId, advertised, appPort, appHealthPath,
                    zone, tags, controlPlane, xdsAddress(), tokenValue == null || tokenValue.isBlank() ? null : tokenValue.trim(),
                    state, Durations.parse("--health-interval", healthInterval),
                    Durations.parse("--drain-propagation", drainPropagation), Durations.parse("--drain-timeout", drainTimeout), appProtocol));
        } catch (RuntimeException e) {
            throw new CliException("cannot start the sidecar: " + ControlPlaneCommand.rootMessage(e));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "weft-proxy-shutdown"));
        stopped.await();
        return 0;
    }

    private InetSocketAddress xdsAddress() {
        if (xds == null) {
            return new InetSocketAddress(controlPlane.getHost() == null ? "127.0.0.1" : controlPlane.getHost().replace("[", "").replace("]", ""), 15012);
        }
        int colon = xds.lastIndexOf(':');
        if (colon <= 0) {
            throw new CliException("--xds: '" + xds + "' is not HOST:PORT");
        }
        try {
            return new InetSocketAddress(xds.substring(0, colon).replace("[", "").replace("]", ""),
                    Integer.parseInt(xds.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new CliException("--xds: '" + xds + "' is not HOST:PORT");
        }
    }

    /** {@code --app-protocol}: the names an operator knows an app by, to the HTTP version the sidecar speaks to it. */
    static final class AppProtocolConverter implements ITypeConverter<UpstreamProtocol> {
        @Override
        public UpstreamProtocol convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "http1" -> UpstreamProtocol.HTTP1;
                case "http2", "grpc" -> UpstreamProtocol.HTTP2;
                default -> throw new TypeConversionException("'" + value + "' is not one of http1, http2, grpc");
            };
        }
    }

    static InetAddress ip(String flag, String value) {
        if (!value.matches("[0-9a-fA-F:.]+")) {
            throw new CliException(flag + ": '" + value + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new CliException(flag + ": '" + value + "' is not an IP address");
        }
    }
}
