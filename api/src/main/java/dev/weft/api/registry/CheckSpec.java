package dev.weft.api.registry;

import dev.weft.api.Names;
import dev.weft.api.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * What a health check is, as registered. Exactly one of {@code ttl} (TTL), {@code httpUrl} (HTTP)
 * or {@code tcpAddress} (TCP) drives it, according to {@code type}.
 *
 * @param id unique across the registry
 * @param name human-readable name, defaults to the id
 * @param ttl for TTL checks: how long a reported status stays valid
 * @param httpUrl for HTTP checks: an absolute http or https URL
 * @param tcpAddress for TCP checks: {@code host:port}
 * @param interval for HTTP and TCP checks: time between probes
 * @param timeout for HTTP and TCP checks: how long a probe may take
 * @param deregisterCriticalAfter when positive, an instance whose check stays critical this long is
 *     deregistered; {@link Duration#ZERO} disables it
 * @param initialStatus status until the first report or probe
 */
public record CheckSpec(
        String id,
        String name,
        CheckType type,
        Duration ttl,
        String httpUrl,
        String tcpAddress,
        Duration interval,
        Duration timeout,
        Duration deregisterCriticalAfter,
        HealthStatus initialStatus) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    public CheckSpec {
        Names.id("id", id);
        name = name == null || name.isEmpty() ? id : name;
        Objects.requireNonNull(type, "type");
        deregisterCriticalAfter = deregisterCriticalAfter == null ? Duration.ZERO : deregisterCriticalAfter;
        nonNegative("deregister_critical_after", deregisterCriticalAfter);
        initialStatus = initialStatus == null ? HealthStatus.CRITICAL : initialStatus;
        switch (type) {
            case TTL -> {
                if (ttl == null) {
                    throw new ValidationException("ttl", "is required for a TTL check");
                }
                positive("ttl", ttl);
                httpUrl = null;
                tcpAddress = null;
                interval = null;
                timeout = null;
            }
            case HTTP -> {
                validateHttpUrl(httpUrl);
                tcpAddress = null;
                ttl = null;
                interval = probeInterval(interval);
                timeout = probeTimeout(timeout);
            }
            case TCP -> {
                validateTcpAddress(tcpAddress);
                httpUrl = null;
                ttl = null;
                interval = probeInterval(interval);
                timeout = probeTimeout(timeout);
            }
        }
    }

    private static Duration probeInterval(Duration interval) {
        Duration d = interval == null ? DEFAULT_INTERVAL : interval;
        positive("interval", d);
        if (d.compareTo(MIN_INTERVAL) < 0) {
            throw new ValidationException("interval", "must be at least " + MIN_INTERVAL.toMillis() + "ms");
        }
        return d;
    }

    private static Duration probeTimeout(Duration timeout) {
        Duration d = timeout == null ? DEFAULT_TIMEOUT : timeout;
        positive("timeout", d);
        return d;
    }

    private static void positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new ValidationException(field, "must be positive");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new ValidationException(field, "must be at most 7 days");
        }
    }

    private static void nonNegative(String field, Duration d) {
        if (d.isNegative()) {
            throw new ValidationException(field, "must not be negative");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new ValidationException(field, "must be at most 7 days");
        }
    }

    private static void validateHttpUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw new ValidationException("http", "is required for an HTTP check");
        }
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new ValidationException("http", "must be an http:// or https:// URL");
            }
            if (uri.getHost() == null) {
                throw new ValidationException("http", "must name a host");
            }
        } catch (URISyntaxException e) {
            throw new ValidationException("http", "is not a valid URL: " + e.getReason());
        }
    }

    private static void validateTcpAddress(String address) {
        if (address == null || address.isEmpty()) {
            throw new ValidationException("tcp", "is required for a TCP check");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new ValidationException("tcp", "must be host:port");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ValidationException("tcp", "port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new ValidationException("tcp", "port must be between 1 and 65535");
        }
    }
}
