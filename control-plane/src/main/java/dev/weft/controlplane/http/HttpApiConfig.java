package dev.weft.controlplane.http;

import dev.weft.api.Names;
import java.net.InetAddress;
import java.util.Objects;

/**
 * How the control plane's HTTP API listens.
 *
 * @param bind the only address the server binds
 * @param port the port, 0 for an ephemeral one (see {@link HttpApiServer#port()})
 * @param datacenter the single datacenter reported on the Consul-compatible API; {@code dc1} when null
 * @param nodeName this control plane's node name on the Consul-compatible API; {@code weft} when null
 * @param insecureNoAuth when true, writes need no admin token (tests and throwaway demos only)
 * @param maxBodyBytes largest accepted request body; 1 MiB when 0
 */
public record HttpApiConfig(InetAddress bind, int port, String datacenter, String nodeName, boolean insecureNoAuth, int maxBodyBytes) {
    public static final String DEFAULT_DATACENTER = "dc1";
    public static final String DEFAULT_NODE_NAME = "weft";
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public HttpApiConfig {
        Objects.requireNonNull(bind, "bind");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        datacenter = datacenter == null || datacenter.isEmpty() ? DEFAULT_DATACENTER : Names.serviceName("datacenter", datacenter);
        nodeName = nodeName == null || nodeName.isEmpty() ? DEFAULT_NODE_NAME : Names.id("node_name", nodeName);
        maxBodyBytes = maxBodyBytes == 0 ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024, was " + maxBodyBytes);
        }
    }

    /** Defaults for everything but the address and port; auth on. */
    public static HttpApiConfig of(InetAddress bind, int port) {
        return new HttpApiConfig(bind, port, null, null, false, 0);
    }

    public HttpApiConfig withInsecureNoAuth(boolean insecure) {
        return new HttpApiConfig(bind, port, datacenter, nodeName, insecure, maxBodyBytes);
    }

    public HttpApiConfig withMaxBodyBytes(int bytes) {
        return new HttpApiConfig(bind, port, datacenter, nodeName, insecureNoAuth, bytes);
    }
}
