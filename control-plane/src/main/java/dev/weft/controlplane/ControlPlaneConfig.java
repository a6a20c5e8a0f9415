package dev.weft.controlplane;

import dev.weft.api.ValidationException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the control plane is started with, validated once.
 *
 * @param dataDir holds the store and the admin token; created 0700
 * @param bind the one address every listener binds (loopback by default)
 * @param httpPort HTTP API (native and Consul-compatible); 0 picks a free port
 * @param dnsPort DNS over UDP and TCP; 0 picks a free port
 * @param xdsPort xDS (ADS over gRPC) for sidecars and proxyless gRPC clients; 0 picks a free port
 * @param domain the DNS domain Weft is authoritative for
 * @param dnsTtl TTL of DNS answers
 * @param datacenter reported to Consul clients
 * @param insecureNoAuth accept writes without the admin token (local experiments only)
 */
public record ControlPlaneConfig(
        Path dataDir,
        InetAddress bind,
        int httpPort,
        int dnsPort,
        int xdsPort,
        String domain,
        Duration dnsTtl,
        String datacenter,
        boolean insecureNoAuth) {

    public static final int DEFAULT_XDS_PORT = 15012;

    private static final Pattern DOMAIN = Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern DATACENTER = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public ControlPlaneConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bind, "bind");
        port("--http-port", httpPort);
        port("--dns-port", dnsPort);
        port("--xds-port", xdsPort);
        domain = domain == null ? "weft" : domain.toLowerCase(java.util.Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (!DOMAIN.matcher(domain).matches() || domain.length() > 200) {
            throw new ValidationException("--domain", "'" + domain + "' is not a valid DNS domain");
        }
        if (dnsTtl == null || dnsTtl.isNegative() || dnsTtl.getSeconds() > 86400) {
            throw new ValidationException("--dns-ttl", "must be between 0s and 24h");
        }
        if (datacenter == null || !DATACENTER.matcher(datacenter).matches()) {
            throw new ValidationException("--datacenter", "use 1-63 lower-case letters, digits and '-' (a DNS label)");
        }
    }

    private static void port(String flag, int port) {
        if (port < 0 || port > 65535) {
            throw new ValidationException(flag, "must be between 0 and 65535, was " + port);
        }
    }
}
