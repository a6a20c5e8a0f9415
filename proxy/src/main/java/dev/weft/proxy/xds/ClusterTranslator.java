package dev.weft.proxy.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import java.time.Duration;
import java.util.List;

/** CDS: a Cluster becomes a ClusterConfig; an EDS cluster's endpoints arrive separately. */
final class ClusterTranslator {
    static final String KIND = "Cluster";
    static final String UPSTREAM_HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    /** Envoy's defaults when the cluster leaves them unset. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

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
        Any typed = c.getTypedExtensionProtocolOptionsMap().get(UPSTREAM_HTTP_OPTIONS);
        if (typed != null) {
            try {
                common = typed.unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)
                        .getCommonHttpProtocolOptions();
                commonField = "typed_extension_protocol_options[" + UPSTREAM_HTTP_OPTIONS + "].common_http_protocol_options";
            } catch (InvalidProtocolBufferException e) {
                throw new Protos.FieldException("typed_extension_protocol_options[" + UPSTREAM_HTTP_OPTIONS + "]",
                        "cannot be decoded: " + e.getMessage());
            }
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
                return new ClusterResource(new ClusterConfig(c.getName(), lb, connectTimeout, idle, maxRequests, List.of()), edsName);
            }
            case STATIC: {
                if (!c.hasLoadAssignment()) {
                    throw new Protos.FieldException("load_assignment", "required for a STATIC cluster");
                }
                List<Endpoint> endpoints = ClusterLoadAssignmentTranslator.endpoints(c.getLoadAssignment(), "load_assignment.");
                return new ClusterResource(new ClusterConfig(c.getName(), lb, connectTimeout, idle, maxRequests, endpoints), null);
            }
            default:
                throw new Protos.FieldException("type", "unsupported cluster type " + c.getType()
                        + " (the Weft sidecar supports EDS and STATIC)");
        }
    }

    private static LbPolicy lbPolicy(Cluster c) throws Protos.FieldException {
        if (c.hasLoadBalancingPolicy()) {
            throw new Protos.FieldException("load_balancing_policy", "not supported; use lb_policy");
        }
        switch (c.getLbPolicy()) {
            case ROUND_ROBIN:
                return LbPolicy.ROUND_ROBIN;
            case RANDOM:
                return LbPolicy.RANDOM;
            case LEAST_REQUEST:
                return LbPolicy.LEAST_REQUEST;
            default:
                throw new Protos.FieldException("lb_policy", "unsupported policy " + c.getLbPolicy()
                        + " (supported: ROUND_ROBIN, RANDOM, LEAST_REQUEST)");
        }
    }
}
