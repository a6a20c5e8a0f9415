package dev.weft.proxy.xds;

import dev.weft.proxy.config.UpstreamProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How an {@link XdsClient} reaches the control plane and identifies itself. Built with
 * {@link #builder(InetSocketAddress, String, String)}; immutable. {@link #toString()} never shows the token.
 *
 * @param controlPlane the control plane's xDS address (plaintext gRPC for now)
 * @param service the service this sidecar fronts ({@code weft.service})
 * @param instanceId the registry's instance id (node id part)
 * @param nodeAddress the instance's address (node id part)
 * @param namespace the mesh namespace (node id part)
 * @param bind the address the sidecar's listeners bind ({@code weft.bind})
 * @param outboundPort {@code weft.outbound_port}
 * @param inboundPort {@code weft.inbound_port}
 * @param appPort {@code weft.app_port}
 * @param appProtocol the HTTP version the local app speaks, {@code weft.app_protocol}: HTTP1 or HTTP2
 * @param token the admin/join token sent as {@code authorization: Bearer}; null for none
 * @param stateDir where the last-known-good configuration is kept; null to keep none
 * @param initialBackoff first reconnect delay ceiling
 * @param maxBackoff reconnect delay cap
 * @param jitter uniform [0, 1) source for backoff jitter; injectable for tests
 * @param keepAliveTime HTTP/2 keepalive ping interval; not below the server's permitKeepAliveTime (grpc-java: 5 min)
 */
public record XdsClientOptions(
        InetSocketAddress controlPlane,
        String service,
        String instanceId,
        String nodeAddress,
        String namespace,
        String bind,
        int outboundPort,
        int inboundPort,
        int appPort,
        UpstreamProtocol appProtocol,
        String token,
        Path stateDir,
        Duration initialBackoff,
        Duration maxBackoff,
        DoubleSupplier jitter,
        Duration keepAliveTime) {

    public XdsClientOptions {
        Objects.requireNonNull(controlPlane, "controlPlane");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(nodeAddress, "nodeAddress");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(appProtocol, "appProtocol");
        if (appProtocol == UpstreamProtocol.DOWNSTREAM) {
            throw new IllegalArgumentException("appProtocol: an app speaks HTTP1 or HTTP2, not DOWNSTREAM");
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(jitter, "jitter");
        Objects.requireNonNull(keepAliveTime, "keepAliveTime");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initialBackoff + " and " + maxBackoff);
        }
    }

    public static Builder builder(InetSocketAddress controlPlane, String service, String instanceId) {
        return new Builder(controlPlane, service, instanceId);
    }

    /** {@code sidecar~<address>~<instance-id>~<namespace>} (docs/xds.md). */
    public String nodeId() {
        return "sidecar~" + nodeAddress + "~" + instanceId + "~" + namespace;
    }

    @Override
    public String toString() {
        return "XdsClientOptions[controlPlane=" + controlPlane + ", node=" + nodeId() + ", service=" + service
                + ", bind=" + bind + ", outbound=" + outboundPort + ", inbound=" + inboundPort + ", app=" + appPort + ", app_protocol=" + appProtocol
                + ", token=" + (token == null ? "none" : "<redacted>") + ", stateDir=" + stateDir + "]";
    }

    /** Defaults: address and bind 127.0.0.1, namespace "default", ports 15001/15006, an HTTP/1.1 app, backoff 100 ms to 30 s. */
    public static final class Builder {
        private final InetSocketAddress controlPlane;
        private final String service;
        private final String instanceId;
        private String nodeAddress = "127.0.0.1";
        private String namespace = "default";
        private String bind = "127.0.0.1";
        private int outboundPort = 15001;
        private int inboundPort = 15006;
        private int appPort;
        private UpstreamProtocol appProtocol = UpstreamProtocol.HTTP1;
        private String token;
        private Path stateDir;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private Duration keepAliveTime = Duration.ofMinutes(5);

        private Builder(InetSocketAddress controlPlane, String service, String instanceId) {
            this.controlPlane = controlPlane;
            this.service = service;
            this.instanceId = instanceId;
        }

        public Builder nodeAddress(String v) { nodeAddress = v; return this; }
        public Builder namespace(String v) { namespace = v; return this; }
        public Builder bind(String v) { bind = v; return this; }
        public Builder outboundPort(int v) { outboundPort = v; return this; }
        public Builder inboundPort(int v) { inboundPort = v; return this; }
        public Builder appPort(int v) { appPort = v; return this; }
        public Builder appProtocol(UpstreamProtocol v) { appProtocol = v; return this; }
        public Builder token(String v) { token = v; return this; }
        public Builder stateDir(Path v) { stateDir = v; return this; }
        public Builder backoff(Duration initial, Duration max) { initialBackoff = initial; maxBackoff = max; return this; }
        public Builder jitter(DoubleSupplier v) { jitter = v; return this; }
        public Builder keepAliveTime(Duration v) { keepAliveTime = v; return this; }

        public XdsClientOptions build() {
            return new XdsClientOptions(controlPlane, service, instanceId, nodeAddress, namespace, bind, outboundPort,
                    inboundPort, appPort, appProtocol, token, stateDir, initialBackoff, maxBackoff, jitter, keepAliveTime);
        }
    }
}
