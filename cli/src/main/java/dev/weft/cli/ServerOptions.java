package dev.weft.cli;

import dev.weft.api.ValidationException;
import dev.weft.controlplane.ControlPlaneConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The control plane's flags, shared by `weft control-plane` and `weft demo`. */
final class ServerOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:WEFT_DATA_DIR:-${sys:user.home}/.weft/control-plane}",
            description = "State directory: store and admin token, created 0700 (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address every listener binds (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--http-port", defaultValue = "15010", description = "HTTP API port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--dns-port", defaultValue = "15053", description = "DNS port, UDP and TCP (default: ${DEFAULT-VALUE}).")
    int dnsPort;

    @Option(names = "--xds-port", defaultValue = "15012",
            description = "xDS port (ADS over gRPC) for sidecars and proxyless gRPC clients (default: ${DEFAULT-VALUE}).")
    int xdsPort;

    @Option(names = "--domain", defaultValue = "weft", description = "DNS domain served (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(names = "--dns-ttl", defaultValue = "5s", description = "TTL of DNS answers, e.g. 0s, 5s, 1m (default: ${DEFAULT-VALUE}).")
    String dnsTtl;

    @Option(names = "--datacenter", defaultValue = "dc1", description = "Datacenter name reported to Consul clients (default: ${DEFAULT-VALUE}).")
    String datacenter;

    @Option(names = "--insecure-no-auth", description = "Accept writes without the admin token. For local experiments only.")
    boolean insecureNoAuth;

    ControlPlaneConfig toConfig(Path dataDirOverride) {
        InetAddress address;
        if (!bind.matches("[0-9a-fA-F:.]+")) {
            throw new CliException("--bind: '" + bind + "' is not an IP address");
        }
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new CliException("--bind: '" + bind + "' is not an IP address");
        }
        try {
            return new ControlPlaneConfig(dataDirOverride != null ? dataDirOverride : dataDir, address, httpPort, dnsPort, xdsPort,
                    domain, Durations.parse("--dns-ttl", dnsTtl), datacenter, insecureNoAuth);
        } catch (ValidationException e) {
            throw new CliException(e.getMessage());
        }
    }
}
