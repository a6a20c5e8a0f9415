package dev.weft.proxy.xds;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.UpstreamProtocol;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoAny;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    static ClusterResource translate(byte[] encoded) throws XdsResourceException {
        ClusterFields c;
        try {
            c = ClusterFields.decode(new ProtoReader(encoded));
        } catch (MalformedProtoException e) {
            throw new XdsResourceException(KIND, "", "", "cannot be decoded: " + e.getMessage());
        }
        if (c.name.isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return cluster(c);
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, c.name, e.field, e.getMessage());
        }
    }

    /** envoy.config.cluster.v3.Cluster: the fields the sidecar reads, by field number; the rest is skipped. */
    private static final class ClusterFields {
        static final int TYPE = 2;
        static final int CLUSTER_TYPE = 38;
        static final int RING_HASH = 23;
        static final int ORIGINAL_DST = 34;
        static final int LEAST_REQUEST = 37;
        static final int MAGLEV = 52;
        static final int ROUND_ROBIN = 56;

        String name = "";
        int discoveryCase;
        int type; // DiscoveryType: STATIC 0, STRICT_DNS 1, LOGICAL_DNS 2, EDS 3, ORIGINAL_DST 4
        byte[] clusterType;
        byte[] edsClusterConfig;
        byte[] connectTimeout;
        int lbPolicy; // LbPolicy: ROUND_ROBIN 0, LEAST_REQUEST 1, RING_HASH 2, RANDOM 3, MAGLEV 5, CLUSTER_PROVIDED 6, LOAD_BALANCING_POLICY_CONFIG 7
        byte[] maxRequestsPerConnection;
        int lbConfigCase;
        byte[] lbConfig;
        boolean transportSocket;
        int transportSocketMatches;
        byte[] metadata;
        byte[] commonLbConfig;
        byte[] commonHttpProtocolOptions;
        byte[] loadAssignment;
        ProtoAny upstreamHttpOptions;
        boolean loadBalancingPolicy;

        static ClusterFields decode(ProtoReader r) throws MalformedProtoException {
            ClusterFields c = new ClusterFields();
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> c.name = r.string();
                    case TYPE -> {
                        c.type = r.int32();
                        c.discoveryCase = TYPE;
                    }
                    case CLUSTER_TYPE -> {
                        c.clusterType = r.message(c.discoveryCase == CLUSTER_TYPE ? c.clusterType : null);
                        c.discoveryCase = CLUSTER_TYPE;
                    }
                    case 3 -> c.edsClusterConfig = r.message(c.edsClusterConfig);
                    case 4 -> c.connectTimeout = r.message(c.connectTimeout);
                    case 6 -> c.lbPolicy = r.int32();
                    case 9 -> c.maxRequestsPerConnection = r.message(c.maxRequestsPerConnection);
                    case RING_HASH, ORIGINAL_DST, LEAST_REQUEST, MAGLEV, ROUND_ROBIN -> {
                        c.lbConfig = r.message(c.lbConfigCase == r.field() ? c.lbConfig : null);
                        c.lbConfigCase = r.field();
                    }
                    case 24 -> {
                        c.transportSocket = true;
                        r.skip();
                    }
                    case 43 -> {
                        c.transportSocketMatches++;
                        r.skip();
                    }
                    case 25 -> c.metadata = r.message(c.metadata);
                    case 27 -> c.commonLbConfig = r.message(c.commonLbConfig);
                    case 29 -> c.commonHttpProtocolOptions = r.message(c.commonHttpProtocolOptions);
                    case 33 -> c.loadAssignment = r.message(c.loadAssignment);
                    case 36 -> { // map<string, Any>: entries {key = 1; value = 2}, a later entry replaces an earlier one
                        ProtoReader entry = r.message();
                        String key = "";
                        ProtoAny value = new ProtoAny("", new byte[0]);
                        while (entry.next()) {
                            switch (entry.field()) {
                                case 1 -> key = entry.string();
                                case 2 -> value = ProtoAny.decode(entry.message());
                                default -> entry.skip();
                            }
                        }
                        if (key.equals(UPSTREAM_HTTP_OPTIONS)) {
                            c.upstreamHttpOptions = value;
                        }
                    }
                    case 41 -> {
                        c.loadBalancingPolicy = true;
                        r.skip();
                    }
                    default -> r.skip();
                }
            }
            return c;
        }

        String typeName() {
            return DISCOVERY_TYPES.getOrDefault(type, "UNRECOGNIZED");
        }

        String lbPolicyName() {
            return LB_POLICIES.getOrDefault(lbPolicy, "UNRECOGNIZED");
        }
    }

    private static final Map<Integer, String> DISCOVERY_TYPES = Map.of(0, "STATIC", 1, "STRICT_DNS", 2, "LOGICAL_DNS", 3, "EDS",
            4, "ORIGINAL_DST");
    private static final Map<Integer, String> LB_POLICIES = Map.of(0, "ROUND_ROBIN", 1, "LEAST_REQUEST", 2, "RING_HASH", 3, "RANDOM",
            5, "MAGLEV", 6, "CLUSTER_PROVIDED", 7, "LOAD_BALANCING_POLICY_CONFIG");

    private static ClusterResource cluster(ClusterFields c) throws Protos.FieldException {
        if (c.discoveryCase == ClusterFields.CLUSTER_TYPE) {
            throw new Protos.FieldException("cluster_type", "custom cluster types are not supported ('"
                    + Protos.last(c.clusterType, 1, "", ProtoReader::string, "cluster_type") + "')");
        }
        LbPolicy lb = lbPolicy(c);
        LbConfig lbConfig = lbConfig(c);
        if (c.transportSocket || c.transportSocketMatches > 0) {
            throw new Protos.FieldException(c.transportSocket ? "transport_socket" : "transport_socket_matches",
                    "upstream TLS is not supported yet");
        }
        Duration connectTimeout = c.connectTimeout != null
                ? Protos.duration(c.connectTimeout, "connect_timeout") : DEFAULT_CONNECT_TIMEOUT;
        if (connectTimeout.isZero()) {
            throw new Protos.FieldException("connect_timeout", "must be positive");
        }
        byte[] common = c.commonHttpProtocolOptions;
        String commonField = "common_http_protocol_options";
        UpstreamProtocol protocol = UpstreamProtocol.HTTP1; // Envoy's default without the typed extension
        if (c.upstreamHttpOptions != null) {
            UpstreamOptions upstream = UpstreamOptions.decode(
                    Protos.unpack(c.upstreamHttpOptions, UPSTREAM_HTTP_OPTIONS, UPSTREAM_HTTP_OPTIONS_FIELD), UPSTREAM_HTTP_OPTIONS_FIELD);
            common = upstream.common;
            commonField = UPSTREAM_HTTP_OPTIONS_FIELD + ".common_http_protocol_options";
            protocol = protocol(upstream);
        }
        // core.v3.HttpProtocolOptions {idle_timeout = 1; max_requests_per_connection = 6}
        byte[] idleTimeout = Protos.message(common, 1, commonField);
        byte[] commonMaxRequests = Protos.message(common, 6, commonField);
        Duration idle = idleTimeout != null ? Protos.duration(idleTimeout, commonField + ".idle_timeout") : DEFAULT_IDLE_TIMEOUT;
        int maxRequests = 0;
        if (commonMaxRequests != null) {
            maxRequests = Protos.int32Value(commonMaxRequests, commonField + ".max_requests_per_connection");
        } else if (c.maxRequestsPerConnection != null) {
            maxRequests = Protos.int32Value(c.maxRequestsPerConnection, "max_requests_per_connection");
        }
        if (maxRequests < 0) {
            throw new Protos.FieldException(commonField + ".max_requests_per_connection", "must not be negative");
        }
        switch (c.type) {
            case 3: { // EDS; EdsClusterConfig {eds_config = 1; service_name = 2}
                byte[] edsConfig = Protos.message(c.edsClusterConfig, 1, "eds_cluster_config");
                String serviceName = Protos.last(c.edsClusterConfig, 2, "", ProtoReader::string, "eds_cluster_config");
                Protos.requireAds(edsConfig, "eds_cluster_config.eds_config");
                String edsName = serviceName.isEmpty() ? c.name : serviceName;
                return new ClusterResource(new ClusterConfig(c.name, lb, connectTimeout, idle, maxRequests, List.of(), lbConfig)
                        .withProtocol(protocol), edsName);
            }
            case 0: { // STATIC
                if (c.loadAssignment == null) {
                    throw new Protos.FieldException("load_assignment", "required for a STATIC cluster");
                }
                List<Endpoint> endpoints = ClusterLoadAssignmentTranslator.endpoints(c.loadAssignment, "load_assignment.");
                return new ClusterResource(new ClusterConfig(c.name, lb, connectTimeout, idle, maxRequests, endpoints, lbConfig)
                        .withProtocol(protocol), null);
            }
            default:
                throw new Protos.FieldException("type", "unsupported cluster type " + c.typeName()
                        + " (the Weft sidecar supports EDS and STATIC)");
        }
    }

    /**
     * envoy.extensions.upstreams.http.v3.HttpProtocolOptions {common_http_protocol_options = 1;
     * oneof upstream_protocol_options {explicit_http_config = 3; use_downstream_protocol_config = 4; auto_config = 5}}.
     */
    private static final class UpstreamOptions {
        byte[] common;
        int protocolCase;
        byte[] protocolConfig;

        static UpstreamOptions decode(ProtoReader r, String field) throws Protos.FieldException {
            UpstreamOptions o = new UpstreamOptions();
            try {
                while (r.next()) {
                    switch (r.field()) {
                        case 1 -> o.common = r.message(o.common);
                        case 3, 4, 5 -> {
                            o.protocolConfig = r.message(o.protocolCase == r.field() ? o.protocolConfig : null);
                            o.protocolCase = r.field();
                        }
                        default -> r.skip();
                    }
                }
            } catch (MalformedProtoException e) {
                throw new Protos.FieldException(field, "cannot be decoded as " + UPSTREAM_HTTP_OPTIONS + ": " + e.getMessage());
            }
            return o;
        }
    }

    /**
     * The HTTP version spoken to the endpoints. HTTP/2 settings (max_concurrent_streams, windows) are
     * not carried: the sidecar uses its own. HTTP/3 is never spoken downstream, so its options in
     * use_downstream_protocol_config never apply.
     */
    private static UpstreamProtocol protocol(UpstreamOptions o) throws Protos.FieldException {
        switch (o.protocolCase) {
            case 3 -> { // ExplicitHttpConfig: oneof protocol_config {http_protocol_options = 1; http2 = 2; http3 = 3}
                String f = UPSTREAM_HTTP_OPTIONS_FIELD + ".explicit_http_config";
                return switch (Protos.lastOf(o.protocolConfig, 1, 3, f)) {
                    case 1 -> UpstreamProtocol.HTTP1;
                    case 2 -> UpstreamProtocol.HTTP2;
                    case 3 -> throw new Protos.FieldException(f + ".http3_protocol_options", "HTTP/3 is not supported");
                    default -> throw new Protos.FieldException(f, "needs http_protocol_options or http2_protocol_options");
                };
            }
            case 4 -> { // UseDownstreamHttpConfig {http2_protocol_options = 2}: HTTP/2 only if configured, as Envoy
                return has(o.protocolConfig, 2, UPSTREAM_HTTP_OPTIONS_FIELD + ".use_downstream_protocol_config")
                        ? UpstreamProtocol.DOWNSTREAM : UpstreamProtocol.HTTP1;
            }
            case 5 -> throw new Protos.FieldException(UPSTREAM_HTTP_OPTIONS_FIELD + ".auto_config",
                    "ALPN auto config needs upstream TLS, not supported");
            // Envoy requires one of the three; an extension with only common options keeps the default
            default -> {
                return UpstreamProtocol.HTTP1;
            }
        }
    }

    /** Whether a message sets field {@code number}. */
    private static boolean has(byte[] message, int number, String field) throws Protos.FieldException {
        return Protos.lastOf(message, number, number, field) == number;
    }

    private static LbPolicy lbPolicy(ClusterFields c) throws Protos.FieldException {
        if (c.loadBalancingPolicy) {
            throw new Protos.FieldException("load_balancing_policy", "not supported; use lb_policy");
        }
        LbPolicy policy = switch (c.lbPolicy) {
            case 0 -> LbPolicy.ROUND_ROBIN;
            case 3 -> LbPolicy.RANDOM;
            case 1 -> LbPolicy.LEAST_REQUEST;
            case 2 -> LbPolicy.RING_HASH;
            case 5 -> LbPolicy.MAGLEV;
            default -> throw new Protos.FieldException("lb_policy", "unsupported policy " + c.lbPolicyName()
                    + " (supported: ROUND_ROBIN, RANDOM, LEAST_REQUEST, RING_HASH, MAGLEV)");
        };
        Protos.StructValue lb = Protos.filterMetadata(c.metadata, WEFT_METADATA, "metadata").get("lb");
        if (lb == null) {
            return policy;
        }
        String field = "metadata.filter_metadata[\"" + WEFT_METADATA + "\"].lb";
        if (lb.kind() != Protos.StructValue.STRING || !lb.string().equals(PEAK_EWMA)) {
            throw new Protos.FieldException(field, "unsupported Weft balancer " + lb.describe() + " (supported: \"" + PEAK_EWMA + "\")");
        }
        // Envoy and gRPC ignore the metadata and use lb_policy, so it must be a sensible fallback
        if (policy != LbPolicy.ROUND_ROBIN && policy != LbPolicy.LEAST_REQUEST) {
            throw new Protos.FieldException(field, "peak_ewma needs lb_policy ROUND_ROBIN or LEAST_REQUEST, was " + c.lbPolicyName());
        }
        return LbPolicy.PEAK_EWMA;
    }

    private static LbConfig lbConfig(ClusterFields c) throws Protos.FieldException {
        LbConfig cfg = LbConfig.DEFAULTS;
        switch (c.lbConfigCase) {
            case ClusterFields.RING_HASH -> { // RingHashLbConfig {minimum_ring_size = 1; maximum_ring_size = 4} (UInt64Value)
                byte[] minField = Protos.message(c.lbConfig, 1, "ring_hash_lb_config");
                byte[] maxField = Protos.message(c.lbConfig, 4, "ring_hash_lb_config");
                long min = minField != null ? Protos.int64Value(minField, "ring_hash_lb_config.minimum_ring_size") : cfg.ringMinSize();
                long max = maxField != null ? Protos.int64Value(maxField, "ring_hash_lb_config.maximum_ring_size") : cfg.ringMaxSize();
                if (min < 1 || max > MAX_RING_SIZE || min > max) {
                    throw new Protos.FieldException("ring_hash_lb_config", "ring sizes must satisfy 1 <= minimum_ring_size <= maximum_ring_size <= "
                            + MAX_RING_SIZE + ", were " + Long.toUnsignedString(min) + ", " + Long.toUnsignedString(max));
                }
                cfg = cfg.withRingSize((int) min, (int) max);
            }
            case ClusterFields.MAGLEV -> { // MaglevLbConfig {table_size = 1} (UInt64Value)
                byte[] tableSize = Protos.message(c.lbConfig, 1, "maglev_lb_config");
                if (tableSize != null) {
                    long size = Protos.int64Value(tableSize, "maglev_lb_config.table_size");
                    if (size < 2 || size > MAX_MAGLEV_TABLE || !java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
                        throw new Protos.FieldException("maglev_lb_config.table_size", "must be a prime up to " + MAX_MAGLEV_TABLE
                                + ", was " + Long.toUnsignedString(size));
                    }
                    cfg = cfg.withMaglevTableSize((int) size);
                }
            }
            case ClusterFields.ROUND_ROBIN -> { // RoundRobinLbConfig {slow_start_config = 1}
                byte[] slowStart = Protos.message(c.lbConfig, 1, "round_robin_lb_config");
                if (slowStart != null) {
                    cfg = cfg.withSlowStartWindow(slowStart(slowStart, "round_robin_lb_config.slow_start_config"));
                }
            }
            case ClusterFields.LEAST_REQUEST -> { // LeastRequestLbConfig {slow_start_config = 3}
                byte[] slowStart = Protos.message(c.lbConfig, 3, "least_request_lb_config");
                if (slowStart != null) {
                    cfg = cfg.withSlowStartWindow(slowStart(slowStart, "least_request_lb_config.slow_start_config"));
                }
            }
            default -> {
                // none, or original_dst_lb_config, which only an ORIGINAL_DST cluster (refused) reads
            }
        }
        byte[] panic = Protos.message(c.commonLbConfig, 1, "common_lb_config"); // CommonLbConfig {healthy_panic_threshold = 1} (Percent)
        if (panic != null) {
            double p = Protos.doubleValue(panic, "common_lb_config.healthy_panic_threshold");
            if (!(p >= 0 && p <= 100)) {
                throw new Protos.FieldException("common_lb_config.healthy_panic_threshold", "must be 0-100, was " + p);
            }
            cfg = cfg.withHealthyPanicThreshold(p);
        }
        return cfg;
    }

    /** SlowStartConfig {slow_start_window = 1; aggression = 2; min_weight_percent = 3}. */
    private static Duration slowStart(byte[] s, String field) throws Protos.FieldException {
        if (has(s, 2, field) || has(s, 3, field)) {
            throw new Protos.FieldException(field, "aggression and min_weight_percent are not supported (the ramp is linear from 10%)");
        }
        byte[] window = Protos.message(s, 1, field);
        return window != null ? Protos.duration(window, field + ".slow_start_window") : Duration.ZERO;
    }
}
