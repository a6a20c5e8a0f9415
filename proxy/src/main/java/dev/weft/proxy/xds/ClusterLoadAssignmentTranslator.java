package dev.weft.proxy.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** EDS: a ClusterLoadAssignment becomes the cluster's endpoint list. */
final class ClusterLoadAssignmentTranslator {
    static final String KIND = "ClusterLoadAssignment";

    private ClusterLoadAssignmentTranslator() {
    }

    /** The endpoints of an EDS resource, keyed by its cluster_name. */
    static List<Endpoint> translate(ClusterLoadAssignment cla) throws XdsResourceException {
        if (cla.getClusterName().isEmpty()) {
            throw new XdsResourceException(KIND, "", "cluster_name", "required");
        }
        try {
            return endpoints(cla, "");
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, cla.getClusterName(), e.field, e.getMessage());
        }
    }

    /** Also used for a STATIC cluster's inline load_assignment; {@code prefix} is its field path. */
    static List<Endpoint> endpoints(ClusterLoadAssignment cla, String prefix) throws Protos.FieldException {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < cla.getEndpointsCount(); i++) {
            LocalityLbEndpoints locality = cla.getEndpoints(i);
            String lf = prefix + "endpoints[" + i + "]";
            if (locality.getPriority() != 0) {
                throw new Protos.FieldException(lf + ".priority", "only priority 0 is supported, got " + locality.getPriority());
            }
            if (locality.hasLedsClusterLocalityConfig()) {
                throw new Protos.FieldException(lf + ".leds_cluster_locality_config", "LEDS is not supported");
            }
            String zone = locality.getLocality().getZone();
            for (int j = 0; j < locality.getLbEndpointsCount(); j++) {
                out.add(endpoint(locality.getLbEndpoints(j), zone, lf + ".lb_endpoints[" + j + "]"));
            }
        }
        return List.copyOf(out);
    }

    private static Endpoint endpoint(LbEndpoint lb, String zone, String field) throws Protos.FieldException {
        if (!lb.hasEndpoint()) {
            throw new Protos.FieldException(field + ".endpoint", "required (named endpoints are not supported)");
        }
        if (!lb.getEndpoint().hasAddress()) {
            throw new Protos.FieldException(field + ".endpoint.address", "required");
        }
        InetSocketAddress address = Protos.socketAddress(lb.getEndpoint().getAddress(), field + ".endpoint.address");
        int weight = 1;
        if (lb.hasLoadBalancingWeight()) {
            weight = lb.getLoadBalancingWeight().getValue();
            if (weight < 1) {
                throw new Protos.FieldException(field + ".load_balancing_weight", "must be at least 1, was " + weight);
            }
        }
        Struct weft = lb.getMetadata().getFilterMetadataOrDefault("weft", Struct.getDefaultInstance());
        boolean mesh = false;
        Value meshValue = weft.getFieldsOrDefault("mesh", null);
        if (meshValue != null) {
            if (meshValue.getKindCase() != Value.KindCase.BOOL_VALUE) {
                throw new Protos.FieldException(field + ".metadata.filter_metadata.weft.mesh", "must be a bool");
            }
            mesh = meshValue.getBoolValue();
        }
        String instanceId = "";
        Value idValue = weft.getFieldsOrDefault("instance_id", null);
        if (idValue != null) {
            if (idValue.getKindCase() != Value.KindCase.STRING_VALUE) {
                throw new Protos.FieldException(field + ".metadata.filter_metadata.weft.instance_id", "must be a string");
            }
            instanceId = idValue.getStringValue();
        }
        return new Endpoint(address, health(lb, field), weight, zone, mesh, instanceId);
    }

    private static EndpointHealth health(LbEndpoint lb, String field) throws Protos.FieldException {
        switch (lb.getHealthStatus()) {
            case UNKNOWN:
            case HEALTHY:
                return EndpointHealth.HEALTHY;
            case DEGRADED:
                return EndpointHealth.DEGRADED;
            case UNHEALTHY:
            case DRAINING:
            case TIMEOUT:
                return EndpointHealth.UNHEALTHY;
            default:
                throw new Protos.FieldException(field + ".health_status", "unknown value " + lb.getHealthStatusValue());
        }
    }
}
