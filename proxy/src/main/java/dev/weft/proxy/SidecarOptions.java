package dev.weft.proxy;

import dev.weft.proxy.listener.TransportSecurity;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a sidecar starts. Immutable; {@link #defaults()} gives the documented defaults (loopback,
 * 15001/15006/15000) and the {@code with*} methods return changed copies. Port 0 binds an
 * ephemeral port (tests); the bound ports are on {@link Sidecar}.
 *
 * @param bindAddress the IP every listener binds
 * @param eventLoopThreads proxy event loops (admin has its own single thread)
 * @param headerReadTimeout a request head must arrive within this long from its first byte (408 and close)
 * @param idleTimeout a keep-alive downstream connection with no request in progress is closed after this
 * @param maxHeaderSize request header section limit in bytes (431 beyond)
 * @param maxInitialLineLength request line limit in bytes (414 beyond)
 * @param inboundSecurity the TLS step of the inbound listener; plaintext until the security issue
 * @param zone this sidecar's locality zone, preferred by zone-aware balancing; empty for none
 */
public record SidecarOptions(
        InetAddress bindAddress,
        int outboundPort,
        int inboundPort,
        int adminPort,
        int eventLoopThreads,
        Duration headerReadTimeout,
        Duration idleTimeout,
        int maxHeaderSize,
        int maxInitialLineLength,
        TransportSecurity inboundSecurity,
        String zone) {

    public SidecarOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(inboundSecurity, "inboundSecurity");
        zone = zone == null ? "" : zone;
        checkPort("outboundPort", outboundPort);
        checkPort("inboundPort", inboundPort);
        checkPort("adminPort", adminPort);
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads must be at least 1, was " + eventLoopThreads);
        }
        if (maxHeaderSize < 256 || maxInitialLineLength < 64) {
            throw new IllegalArgumentException("maxHeaderSize must be at least 256 and maxInitialLineLength at least 64");
        }
    }

    public static SidecarOptions defaults() {
        return new SidecarOptions(InetAddress.getLoopbackAddress(), 15001, 15006, 15000,
                Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(10), Duration.ofSeconds(60),
                8 * 1024, 4 * 1024, TransportSecurity.PLAINTEXT, "");
    }

    public SidecarOptions withBindAddress(InetAddress a) {
        return new SidecarOptions(a, outboundPort, inboundPort, adminPort, eventLoopThreads, headerReadTimeout, idleTimeout,
                maxHeaderSize, maxInitialLineLength, inboundSecurity, zone);
    }

    public SidecarOptions withPorts(int outbound, int inbound, int admin) {
        return new SidecarOptions(bindAddress, outbound, inbound, admin, eventLoopThreads, headerReadTimeout, idleTimeout,
                maxHeaderSize, maxInitialLineLength, inboundSecurity, zone);
    }

    public SidecarOptions withEventLoopThreads(int threads) {
        return new SidecarOptions(bindAddress, outboundPort, inboundPort, adminPort, threads, headerReadTimeout, idleTimeout,
                maxHeaderSize, maxInitialLineLength, inboundSecurity, zone);
    }

    public SidecarOptions withTimeouts(Duration headerRead, Duration idle) {
        return new SidecarOptions(bindAddress, outboundPort, inboundPort, adminPort, eventLoopThreads, headerRead, idle,
                maxHeaderSize, maxInitialLineLength, inboundSecurity, zone);
    }

    public SidecarOptions withLimits(int headerSize, int initialLineLength) {
        return new SidecarOptions(bindAddress, outboundPort, inboundPort, adminPort, eventLoopThreads, headerReadTimeout, idleTimeout,
                headerSize, initialLineLength, inboundSecurity, zone);
    }

    public SidecarOptions withInboundSecurity(TransportSecurity security) {
        return new SidecarOptions(bindAddress, outboundPort, inboundPort, adminPort, eventLoopThreads, headerReadTimeout, idleTimeout,
                maxHeaderSize, maxInitialLineLength, security, zone);
    }

    public SidecarOptions withZone(String z) {
        return new SidecarOptions(bindAddress, outboundPort, inboundPort, adminPort, eventLoopThreads, headerReadTimeout, idleTimeout,
                maxHeaderSize, maxInitialLineLength, inboundSecurity, z);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0-65535, was " + port);
        }
    }
}
