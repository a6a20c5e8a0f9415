package dev.weft.proxy.xds;

import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** EDS: a ClusterLoadAssignment becomes the cluster's endpoint list. */
final class ClusterLoadAssignmentTranslator {
    static final String KIND = "ClusterLoadAssignment";

    private ClusterLoadAssignmentTranslator() {
    }

    /** A translated ClusterLoadAssignment: its cluster_name and endpoints. */
    record Assignment(String clusterName, List<Endpoint> endpoints) {
    }

    static Assignment translate(byte[] encoded) throws XdsResourceException {
        String name;
        try { // ClusterLoadAssignment {cluster_name = 1; ...}
            name = Protos.last(encoded, 1, "", ProtoReader::string, "");
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, "", e.field, e.getMessage());
        }
        if (name.isEmpty()) {
            throw new XdsResourceException(KIND, "", "cluster_name", "required");
        }
        try {
            return new Assignment(name, endpoints(encoded, ""));
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, name, e.field, e.getMessage());
        }
    }

    /**
     * The endpoints of a ClusterLoadAssignment {endpoints = 2 (repeated LocalityLbEndpoints)}; also
     * used for a STATIC cluster's inline load_assignment, {@code prefix} being its field path.
     */
    static List<Endpoint> endpoints(byte[] cla, String prefix) throws Protos.FieldException {
        List<Endpoint> out = new ArrayList<>();
        int index = 0;
        try {
            ProtoReader r = Protos.reader(cla);
            while (r.next()) {
                if (r.field() == 2) {
                    locality(r.message(), prefix + "endpoints[" + index++ + "]", out);
                } else {
                    r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(prefix + "endpoints[" + Math.max(0, index - 1) + "]", e);
        }
        return List.copyOf(out);
    }

    /**
     * LocalityLbEndpoints {locality = 1; lb_endpoints = 2; priority = 5; oneof lb_config
     * {load_balancer_endpoints = 7; leds_cluster_locality_config = 8}}.
     */
    private static void locality(ProtoReader r, String lf, List<Endpoint> out) throws MalformedProtoException, Protos.FieldException {
        byte[] locality = null;
        List<byte[]> lbEndpoints = new ArrayList<>();
        int priority = 0;
        int lbConfigCase = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> locality = r.message(locality);
                case 2 -> lbEndpoints.add(r.bytes());
                case 5 -> priority = r.int32();
                case 7, 8 -> {
                    lbConfigCase = r.field();
                    r.skip();
                }
                default -> r.skip();
            }
        }
        if (priority != 0) {
            throw new Protos.FieldException(lf + ".priority", "only priority 0 is supported, got " + Integer.toUnsignedString(priority));
        }
        if (lbConfigCase == 8) {
            throw new Protos.FieldException(lf + ".leds_cluster_locality_config", "LEDS is not supported");
        }
        String zone = Protos.last(locality, 2, "", ProtoReader::string, lf + ".locality"); // Locality {region = 1; zone = 2}
        for (int j = 0; j < lbEndpoints.size(); j++) {
            out.add(endpoint(lbEndpoints.get(j), zone, lf + ".lb_endpoints[" + j + "]"));
        }
    }

    /**
     * LbEndpoint {oneof host_identifier {endpoint = 1; endpoint_name = 5}; health_status = 2;
     * metadata = 3; load_balancing_weight = 4}; Endpoint {address = 1}.
     */
    private static Endpoint endpoint(byte[] lbEndpoint, String zone, String field) throws Protos.FieldException {
        int hostCase = 0;
        byte[] endpoint = null;
        int health = 0;
        byte[] metadata = null;
        byte[] weightField = null;
        byte[] address = null;
        try {
            ProtoReader r = new ProtoReader(lbEndpoint);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> {
                        endpoint = r.message(hostCase == 1 ? endpoint : null);
                        hostCase = 1;
                    }
                    case 5 -> {
                        r.skip();
                        hostCase = 5;
                    }
                    case 2 -> health = r.int32();
                    case 3 -> metadata = r.message(metadata);
                    case 4 -> weightField = r.message(weightField);
                    default -> r.skip();
                }
            }
            if (hostCase == 1) {
                ProtoReader e = new ProtoReader(endpoint);
                while (e.next()) {
                    if (e.field() == 1) {
                        address = e.message(address);
                    } else {
                        e.skip();
                    }
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(field, e);
        }
        if (hostCase != 1) {
            throw new Protos.FieldException(field + ".endpoint", "required (named endpoints are not supported)");
        }
        if (address == null) {
            throw new Protos.FieldException(field + ".endpoint.address", "required");
        }
        InetSocketAddress socket = Protos.socketAddress(address, field + ".endpoint.address");
        int weight = 1;
        if (weightField != null) {
            weight = Protos.int32Value(weightField, field + ".load_balancing_weight");
            if (weight < 1) {
                throw new Protos.FieldException(field + ".load_balancing_weight", "must be at least 1, was " + Integer.toUnsignedString(weight));
            }
        }
        Map<String, Protos.StructValue> weft = Protos.filterMetadata(metadata, "weft", field + ".metadata");
        boolean mesh = false;
        Protos.StructValue meshValue = weft.get("mesh");
        if (meshValue != null) {
            if (meshValue.kind() != Protos.StructValue.BOOL) {
                throw new Protos.FieldException(field + ".metadata.filter_metadata.weft.mesh", "must be a bool");
            }
            mesh = meshValue.bool();
        }
        String instanceId = "";
        Protos.StructValue idValue = weft.get("instance_id");
        if (idValue != null) {
            if (idValue.kind() != Protos.StructValue.STRING) {
                throw new Protos.FieldException(field + ".metadata.filter_metadata.weft.instance_id", "must be a string");
            }
            instanceId = idValue.string();
        }
        return new Endpoint(socket, health(health, field), weight, zone, mesh, instanceId);
    }

    /** HealthStatus: UNKNOWN 0, HEALTHY 1, UNHEALTHY 2, DRAINING 3, TIMEOUT 4, DEGRADED 5. */
    private static EndpointHealth health(int status, String field) throws Protos.FieldException {
        return switch (status) {
            case 0, 1 -> EndpointHealth.HEALTHY;
            case 5 -> EndpointHealth.DEGRADED;
            case 2, 3, 4 -> EndpointHealth.UNHEALTHY;
            default -> throw new Protos.FieldException(field + ".health_status", "unknown value " + status);
        };
    }
}
