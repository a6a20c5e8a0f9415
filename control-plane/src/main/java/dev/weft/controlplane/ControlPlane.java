package dev.weft.controlplane;

import dev.weft.controlplane.dns.DnsConfig;
import dev.weft.controlplane.dns.DnsServer;
import dev.weft.controlplane.health.HealthProber;
import dev.weft.controlplane.http.AdminToken;
import dev.weft.controlplane.http.HttpApiConfig;
import dev.weft.controlplane.http.HttpApiServer;
import dev.weft.controlplane.registry.Registry;
import dev.weft.controlplane.store.SqliteStore;
import dev.weft.controlplane.store.Store;
import dev.weft.controlplane.telemetry.ControlPlaneMetrics;
import dev.weft.controlplane.xds.XdsConfig;
import dev.weft.controlplane.xds.XdsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running control plane: store, registry, health prober, xDS, HTTP API (with {@code /metrics})
 * and DNS, started in that
 * order and stopped in reverse. Starting either succeeds completely or releases everything it
 * had opened.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    /** How often TTL deadlines are checked: well under the shortest sensible TTL. */
    static final Duration REGISTRY_TICK = Duration.ofMillis(250);

    private final ControlPlaneConfig config;
    private final Deque<AutoCloseable> resources;
    private final Registry registry;
    private final HttpApiServer http;
    private final DnsServer dns;
    private final XdsServer xds;
    private final AdminToken token;
    private final ControlPlaneMetrics metrics;

    private ControlPlane(ControlPlaneConfig config, Deque<AutoCloseable> resources, Registry registry,
                         HttpApiServer http, DnsServer dns, XdsServer xds, AdminToken token, ControlPlaneMetrics metrics) {
        this.config = config;
        this.resources = resources;
        this.registry = registry;
        this.http = http;
        this.dns = dns;
        this.xds = xds;
        this.token = token;
        this.metrics = metrics;
    }

    public static ControlPlane start(ControlPlaneConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static ControlPlane start(ControlPlaneConfig config, Clock clock) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            createPrivateDir(config.dataDir());
            Store store = SqliteStore.open(config.dataDir().resolve("store"), clock);
            opened.push(store);
            Registry registry = Registry.open(store, clock, REGISTRY_TICK);
            opened.push(registry);
            HealthProber prober = new HealthProber(registry).start();
            opened.push(prober);
            AdminToken token = AdminToken.loadOrCreate(config.dataDir());
            ControlPlaneMetrics metrics = ControlPlaneMetrics.create(registry);
            XdsServer xds = XdsServer.start(new XdsConfig(config.bind(), config.xdsPort(), config.domain(), config.insecureNoAuth()),
                    registry, token, metrics.registry());
            opened.push(xds);
            HttpApiServer http = HttpApiServer.start(new HttpApiConfig(config.bind(), config.httpPort(),
                    config.datacenter(), "weft-control-plane", config.insecureNoAuth(), HttpApiConfig.DEFAULT_MAX_BODY_BYTES),
                    registry, token, List.of(metrics.httpRoute()));
            opened.push(http);
            DnsServer dns = DnsServer.start(new DnsConfig(config.bind(), config.dnsPort(), config.domain(), config.dnsTtl()), registry);
            opened.push(dns);
            ControlPlane cp = new ControlPlane(config, opened, registry, http, dns, xds, token, metrics);
            log.info("control plane ready http=http://{}:{} dns={}:{} (udp,tcp) xds={}:{} domain={} datacenter={} data_dir={} auth={}",
                    hostForUrl(config), http.port(), config.bind().getHostAddress(), dns.port(), hostForUrl(config), xds.port(),
                    config.domain(),
                    config.datacenter(), config.dataDir(), config.insecureNoAuth() ? "off" : "admin-token");
            return cp;
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    public int httpPort() {
        return http.port();
    }

    public int dnsPort() {
        return dns.port();
    }

    /** The xDS (ADS over gRPC) port. */
    public int xdsPort() {
        return xds.port();
    }

    public ControlPlaneMetrics metrics() {
        return metrics;
    }

    public String httpUrl() {
        return "http://" + hostForUrl(config) + ":" + http.port();
    }

    public Registry registry() {
        return registry;
    }

    public AdminToken token() {
        return token;
    }

    public ControlPlaneConfig config() {
        return config;
    }

    @Override
    public void close() {
        closeAll(resources);
        log.info("control plane stopped");
    }

    private static String hostForUrl(ControlPlaneConfig config) {
        String host = config.bind().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }

    static void createPrivateDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
