package dev.weft.proxy.registration;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the sidecar registers for its instance. {@link #toString()} never shows the token.
 *
 * @param controlPlane base URL of the control plane's HTTP API, e.g. {@code http://127.0.0.1:15010}
 * @param token admin/join token sent as {@code X-Weft-Token}; null for none
 * @param service the service name (a DNS label)
 * @param instanceId the instance id; the TTL check is {@code <instanceId>-sidecar}
 * @param address the instance's IP address as other sidecars reach it
 * @param appPort the app's port (registered as {@code port}, probed on 127.0.0.1)
 * @param meshPort the sidecar's inbound port (registered as {@code mesh_port})
 * @param zone locality zone, empty for none
 * @param tags registry tags
 * @param appHealthPath HTTP path probed on the app (2xx/3xx = healthy); null for a TCP connect probe
 * @param interval probe and report period; the check's TTL is three times this
 */
public record RegistrarOptions(URI controlPlane, String token, String service, String instanceId, String address,
                               int appPort, int meshPort, String zone, List<String> tags, String appHealthPath,
                               Duration interval) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    public RegistrarOptions {
        Objects.requireNonNull(controlPlane, "controlPlane");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(address, "address");
        zone = zone == null ? "" : zone;
        tags = tags == null ? List.of() : List.copyOf(tags);
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException("interval must be at least 100ms, was " + interval);
        }
        if (appHealthPath != null && !appHealthPath.startsWith("/")) {
            throw new IllegalArgumentException("appHealthPath must start with '/', was " + appHealthPath);
        }
    }

    public String checkId() {
        return instanceId + "-sidecar";
    }

    @Override
    public String toString() {
        return "RegistrarOptions[controlPlane=" + controlPlane + ", service=" + service + ", instance=" + instanceId
                + ", address=" + address + ", app_port=" + appPort + ", mesh_port=" + meshPort + ", zone=" + zone
                + ", health=" + (appHealthPath == null ? "tcp" : appHealthPath) + ", interval=" + interval
                + ", token=" + (token == null ? "none" : "<redacted>") + "]";
    }
}
