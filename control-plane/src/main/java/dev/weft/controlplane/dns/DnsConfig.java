package dev.weft.controlplane.dns;

import dev.weft.api.ValidationException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Settings of the control plane's DNS server. The CLI flags {@code --dns-port}, {@code --domain}
 * and {@code --dns-ttl} map to {@link #port}, {@link #domain} and {@link #ttl}.
 *
 * @param bindAddress where UDP and TCP listen
 * @param port UDP and TCP port; 0 picks a free one
 * @param domain the zone served, such as {@code weft} or {@code dc1.weft}; case and a trailing dot
 *     are dropped
 * @param ttl TTL of every answer, whole seconds
 * @param negativeTtl how long resolvers may cache NXDOMAIN and NODATA: the SOA minimum and the
 *     TTL of the SOA in negative answers, whole seconds; null means {@code ttl}
 * @param ioThreads event loop threads serving UDP and TCP
 * @param maxTcpConnections TCP connections open at once; more are closed on accept
 * @param tcpIdleTimeout a TCP connection with no traffic for this long is closed
 */
public record DnsConfig(
        InetAddress bindAddress,
        int port,
        String domain,
        Duration ttl,
        Duration negativeTtl,
        int ioThreads,
        int maxTcpConnections,
        Duration tcpIdleTimeout) {

    public static final int DEFAULT_PORT = 15053;
    public static final String DEFAULT_DOMAIN = "weft";
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_IO_THREADS = 1;
    public static final int DEFAULT_MAX_TCP_CONNECTIONS = 1024;
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** Leaves room for {@code <63-char tag>.<63-char service>.service.} within 255 bytes. */
    public static final int MAX_DOMAIN_LENGTH = 100;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public DnsConfig {
        if (bindAddress == null) {
            throw new ValidationException("dns.bindAddress", "is required");
        }
        if (port < 0 || port > 65535) {
            throw new ValidationException("dns.port", "must be between 0 and 65535, was " + port);
        }
        domain = domain(domain);
        seconds("dns.ttl", ttl);
        negativeTtl = negativeTtl == null ? ttl : negativeTtl;
        seconds("dns.negativeTtl", negativeTtl);
        if (ioThreads < 1 || ioThreads > 16) {
            throw new ValidationException("dns.ioThreads", "must be between 1 and 16, was " + ioThreads);
        }
        if (maxTcpConnections < 1 || maxTcpConnections > 65535) {
            throw new ValidationException("dns.maxTcpConnections", "must be between 1 and 65535, was " + maxTcpConnections);
        }
        if (tcpIdleTimeout == null || tcpIdleTimeout.compareTo(Duration.ofMillis(1)) < 0
                || tcpIdleTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new ValidationException("dns.tcpIdleTimeout", "must be between 1 ms and 1 hour, was " + tcpIdleTimeout);
        }
    }

    /** Defaults for everything but where to listen, the zone and the TTL. */
    public DnsConfig(InetAddress bindAddress, int port, String domain, Duration ttl) {
        this(bindAddress, port, domain, ttl, ttl, DEFAULT_IO_THREADS, DEFAULT_MAX_TCP_CONNECTIONS, DEFAULT_TCP_IDLE_TIMEOUT);
    }

    /** Loopback, port 15053, zone {@code weft}, TTL 5 s. */
    public static DnsConfig defaults() {
        return new DnsConfig(InetAddress.getLoopbackAddress(), DEFAULT_PORT, DEFAULT_DOMAIN, DEFAULT_TTL);
    }

    private static String domain(String domain) {
        if (domain == null || domain.isEmpty()) {
            throw new ValidationException("dns.domain", "is required");
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > MAX_DOMAIN_LENGTH) {
            throw new ValidationException("dns.domain", "'" + domain + "' must be 1 to " + MAX_DOMAIN_LENGTH + " characters");
        }
        for (String label : d.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new ValidationException("dns.domain", "'" + domain
                        + "' is not a domain name: use dot-separated labels of 1-63 letters, digits and '-', not starting or ending with '-'");
            }
        }
        return d;
    }

    private static void seconds(String field, Duration d) {
        if (d == null) {
            throw new ValidationException(field, "is required");
        }
        if (d.isNegative() || d.getNano() != 0 || d.getSeconds() > Integer.MAX_VALUE) {
            throw new ValidationException(field, "must be whole seconds between 0 and " + Integer.MAX_VALUE + ", was " + d);
        }
    }
}
