package dev.weft.controlplane.xds;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What the xDS server is started with.
 *
 * @param bind the address it listens on
 * @param port 0 picks a free port
 * @param domain the mesh DNS domain (outbound virtual hosts answer to {@code <service>.service.<domain>})
 * @param insecureNoAuth accept streams without the admin token
 * @param debounce how long registry changes are gathered before snapshots are rebuilt
 */
public record XdsConfig(InetAddress bind, int port, String domain, boolean insecureNoAuth, Duration debounce) {
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);

    public XdsConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(domain, "domain");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("xds port must be between 0 and 65535, was " + port);
        }
        if (debounce == null || debounce.isNegative()) {
            throw new IllegalArgumentException("debounce must be zero or positive");
        }
    }

    public XdsConfig(InetAddress bind, int port, String domain, boolean insecureNoAuth) {
        this(bind, port, domain, insecureNoAuth, DEFAULT_DEBOUNCE);
    }
}
