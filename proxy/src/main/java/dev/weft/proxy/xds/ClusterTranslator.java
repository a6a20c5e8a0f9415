package dev.weft.proxy.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.UpstreamProtocol;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import java.time.Duration;
import java.util.List;

/** CDS: a Cluster becomes a ClusterConfig; an EDS cluster's endpoints arrive separately. */
final class ClusterTranslator {
    static final String KIND = "Cluster";
    static final String UPSTREAM_HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    static final String UPSTREAM_HTTP_OPTIONS_FIELD = "typed_extension_protocol_options[" + UPSTREAM_HTTP_OPTIONS + "]";
    /** Envoy's defaults when the cluster leaves them unset. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    /** Cluster.metadata.filter_metadata key whose "lb" field selects a Weft-only balancer. */
    static final String WEFT_METADATA = "weft";
    static final String PEAK_EWMA = "peak_ewma";
    static final long MAX_RING_SIZE = 8L * 1024 * 1024;
    static final long MAX_MAGLEV_TABLE = 5_000_011;

    private ClusterTranslator() {
    }

    /**
     * A translated cluster.
     *
     * @param edsName the ClusterLoadAssignment name to subscribe to; null for a STATIC cluster
     */
    record ClusterResource(ClusterConfig config, String edsName) {
        boolean isEds() {
            return edsName != null;
        }
    }

    static ClusterResource translate(Cluster c) throws XdsResourceException {
        if (c.getName().isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return cluster(c);
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, c.getName(), e.field, e.getMessage());
        }
    }

    private static ClusterResource cluster(Cluster c) throws Protos.FieldException {
        if (c.getClusterDiscoveryTypeCase() == Cluster.ClusterDiscoveryTypeCase.CLUSTER_TYPE) {
            throw new Protos.FieldException("cluster_type", "custom cluster types are not supported ('"
                    + c.getClusterType().getName() + "')");
        }
        LbPolicy lb = lbPolicy(c);
        LbConfig lbConfig = lbConfig(c, lb);
        if (c.hasTransportSocket() || c.getTransportSocketMatchesCount() > 0) {
            throw new Protos.FieldException(c.hasTransportSocket() ? "transport_socket" : "transport_socket_matches",
                    "upstream TLS is not supported yet");
        }
        Duration connectTimeout = c.hasConnectTimeout()
                ? Protos.duration(c.getConnectTimeout(), "connect_timeout") : DEFAULT_CONNECT_TIMEOUT;
        if (connectTimeout.isZero()) {
            throw new Protos.FieldException("connect_timeout", "must be positive");
        }
        HttpProtocolOptions common = c.getCommonHttpProtocolOptions();
        String commonField = "common_http_protocol_options";
        UpstreamProtocol protocol = UpstreamProtocol.HTTP1; // Envoy's default without the typed extension
        Any typed = c.getTypedExtensionProtocolOptionsMap().get(UPSTREAM_HTTP_OPTIONS);
        if (typed != null) {
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions upstream = Protos.unpack(typed,
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor(),
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.parser(), UPSTREAM_HTTP_OPTIONS_FIELD);
            common = upstream.getCommonHttpProtocolOptions();
            commonField = UPSTREAM_HTTP_OPTIONS_FIELD + ".common_http_protocol_options";
            protocol = protocol(upstream);
        }
        Duration idle = common.hasIdleTimeout()
                ? Protos.duration(common.getIdleTimeout(), commonField + ".idle_timeout") : DEFAULT_IDLE_TIMEOUT;
        int maxRequests = 0;
        if (common.hasMaxRequestsPerConnection()) {
            maxRequests = common.getMaxRequestsPerConnection().getValue();
        } else if (c.hasMaxRequestsPerConnection()) {
            maxRequests = c.getMaxRequestsPerConnection().getValue();
        }
        if (maxRequests < 0) {
            throw new Protos.FieldException(commonField + ".max_requests_per_connection", "must not be negative");
        }
        switch (c.getType()) {
            case EDS: {
                var eds = c.getEdsClusterConfig();
                Protos.requireAds(eds.getEdsConfig(), "eds_cluster_config.eds_config");
                String edsName = eds.getServiceName().isEmpty() ? c.getName() : eds.getServiceName();
                return new ClusterResource(new ClusterConfig(c.getName(), lb, connectTimeout, idle, maxRequests, List.of(), lbConfig)
                        .withProtocol(protocol), edsName);
            }
            case STATIC: {
                if (!c.hasLoadAssignment()) {
                    throw new Protos.FieldException("load_assignment", "required for a STATIC cluster");
                }
                List<Endpoint> endpoints = ClusterLoadAssignmentTranslator.endpoints(c.getLoadAssignment(), "load_assignment.");
                return new ClusterResource(new ClusterConfig(c.getName(), lb, connectTimeout, idle, maxRequests, endpoints, lbConfig)
                        .withProtocol(protocol), null);
            }
            default:
                throw new Protos.FieldException("type", "unsupported cluster type " + c.getType()
                        + " (the Weft sidecar supports EDS and STATIC)");
        }
    }

    /**
     * The HTTP version spoken to the endpoints. HTTP/2 settings (max_concurrent_streams, windows) are
     * not carried: the sidecar uses its own. HTTP/3 is never spoken downstream, so its options in
     * use_downstream_protocol_config never apply.
     */
    private static UpstreamProtocol protocol(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions o)
            throws Protos.FieldException {
        return switch (o.getUpstreamProtocolOptionsCase()) {
            case EXPLICIT_HTTP_CONFIG -> switch (o.getExplicitHttpConfig().getProtocolConfigCase()) {
                case HTTP_PROTOCOL_OPTIONS -> UpstreamProtocol.HTTP1;
                case HTTP2_PROTOCOL_OPTIONS -> UpstreamProtocol.HTTP2;
                case HTTP3_PROTOCOL_OPTIONS -> throw new Protos.FieldException(
                        UPSTREAM_HTTP_OPTIONS_FIELD + ".explicit_http_config.http3_protocol_options", "HTTP/3 is not supported");
                case PROTOCOLCONFIG_NOT_SET -> throw new Protos.FieldException(
                        UPSTREAM_HTTP_OPTIONS_FIELD + ".explicit_http_config",
                        "needs http_protocol_options or http2_protocol_options");
            };
            case USE_DOWNSTREAM_PROTOCOL_CONFIG -> o.getUseDownstreamProtocolConfig().hasHttp2ProtocolOptions()
                    ? UpstreamProtocol.DOWNSTREAM : UpstreamProtocol.HTTP1; // as Envoy: HTTP/2 only if configured
            case AUTO_CONFIG -> throw new Protos.FieldException(UPSTREAM_HTTP_OPTIONS_FIELD + ".auto_config",
                    "ALPN auto config needs upstream TLS, not supported");
            // Envoy requires one of the three; an extension with only common options keeps the default
            case UPSTREAMPROTOCOLOPTIONS_NOT_SET -> UpstreamProtocol.HTTP1;
        };
    }

    private static LbPolicy lbPolicy(Cluster c) throws Protos.FieldException {
        if (c.hasLoadBalancingPolicy()) {
            throw new Protos.FieldException("load_balancing_policy", "not supported; use lb_policy");
        }
        LbPolicy policy = switch (c.getLbPolicy()) {
            case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
            case RANDOM -> LbPolicy.RANDOM;
            case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
            case RING_HASH -> LbPolicy.RING_HASH;
            case MAGLEV -> LbPolicy.MAGLEV;
            default -> throw new Protos.FieldException("lb_policy", "unsupported policy " + c.getLbPolicy()
                    + " (supported: ROUND_ROBIN, RANDOM, LEAST_REQUEST, RING_HASH, MAGLEV)");
        };
        Struct weft = c.getMetadata().getFilterMetadataMap().get(WEFT_METADATA);
        Value lb = weft == null ? null : weft.getFieldsMap().get("lb");
        if (lb == null) {
            return policy;
        }
        String field = "metadata.filter_metadata[\"" + WEFT_METADATA + "\"].lb";
        if (lb.getKindCase() != Value.KindCase.STRING_VALUE || !lb.getStringValue().equals(PEAK_EWMA)) {
            throw new Protos.FieldException(field, "unsupported Weft balancer " + lb + " (supported: \"" + PEAK_EWMA + "\")");
        }
        // Envoy and gRPC ignore the metadata and use lb_policy, so it must be a sensible fallback
        if (policy != LbPolicy.ROUND_ROBIN && policy != LbPolicy.LEAST_REQUEST) {
            throw new Protos.FieldException(field, "peak_ewma needs lb_policy ROUND_ROBIN or LEAST_REQUEST, was " + c.getLbPolicy());
        }
        return LbPolicy.PEAK_EWMA;
    }

    private static LbConfig lbConfig(Cluster c, LbPolicy policy) throws Protos.FieldException {
        LbConfig cfg = LbConfig.DEFAULTS;
        if (c.hasRingHashLbConfig()) {
            var r = c.getRingHashLbConfig();
            long min = r.hasMinimumRingSize() ? r.getMinimumRingSize().getValue() : cfg.ringMinSize();
            long max = r.hasMaximumRingSize() ? r.getMaximumRingSize().getValue() : cfg.ringMaxSize();
            if (min < 1 || max > MAX_RING_SIZE || min > max) {
                throw new Protos.FieldException("ring_hash_lb_config", "ring sizes must satisfy 1 <= minimum_ring_size <= maximum_ring_size <= "
                        + MAX_RING_SIZE + ", were " + min + ", " + max);
            }
            cfg = cfg.withRingSize((int) min, (int) max);
        }
        if (c.hasMaglevLbConfig() && c.getMaglevLbConfig().hasTableSize()) {
            long size = c.getMaglevLbConfig().getTableSize().getValue();
            if (size < 2 || size > MAX_MAGLEV_TABLE || !java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
                throw new Protos.FieldException("maglev_lb_config.table_size", "must be a prime up to " + MAX_MAGLEV_TABLE + ", was " + size);
            }
            cfg = cfg.withMaglevTableSize((int) size);
        }
        if (c.hasRoundRobinLbConfig() && c.getRoundRobinLbConfig().hasSlowStartConfig()) {
            cfg = cfg.withSlowStartWindow(slowStart(c.getRoundRobinLbConfig().getSlowStartConfig(), "round_robin_lb_config.slow_start_config"));
        }
        if (c.hasLeastRequestLbConfig() && c.getLeastRequestLbConfig().hasSlowStartConfig()) {
            cfg = cfg.withSlowStartWindow(slowStart(c.getLeastRequestLbConfig().getSlowStartConfig(), "least_request_lb_config.slow_start_config"));
        }
        if (c.getCommonLbConfig().hasHealthyPanicThreshold()) {
            double p = c.getCommonLbConfig().getHealthyPanicThreshold().getValue();
            if (!(p >= 0 && p <= 100)) {
                throw new Protos.FieldException("common_lb_config.healthy_panic_threshold", "must be 0-100, was " + p);
            }
            cfg = cfg.withHealthyPanicThreshold(p);
        }
        return cfg;
    }

    private static Duration slowStart(Cluster.SlowStartConfig s, String field) throws Protos.FieldException {
        if (s.hasAggression() || s.hasMinWeightPercent()) {
            throw new Protos.FieldException(field, "aggression and min_weight_percent are not supported (the ramp is linear from 10%)");
        }
        return s.hasSlowStartWindow() ? Protos.duration(s.getSlowStartWindow(), field + ".slow_start_window") : Duration.ZERO;
    }
}
