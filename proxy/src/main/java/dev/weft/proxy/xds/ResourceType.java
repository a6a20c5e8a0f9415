package dev.weft.proxy.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;

/** The four xDS types the sidecar subscribes to, in Envoy's order: CDS, EDS, LDS, RDS. */
enum ResourceType {
    CDS(Cluster.getDefaultInstance(), true),
    EDS(ClusterLoadAssignment.getDefaultInstance(), false),
    LDS(Listener.getDefaultInstance(), true),
    RDS(RouteConfiguration.getDefaultInstance(), false);

    final String typeUrl;
    final Message prototype;
    /** Wildcard types: a state-of-the-world response lists every resource, absence means removal. */
    final boolean wildcard;

    ResourceType(Message prototype, boolean wildcard) {
        this.prototype = prototype;
        this.typeUrl = "type.googleapis.com/" + prototype.getDescriptorForType().getFullName();
        this.wildcard = wildcard;
    }

    static ResourceType ofTypeUrl(String typeUrl) {
        for (ResourceType t : values()) {
            if (t.typeUrl.equals(typeUrl)) {
                return t;
            }
        }
        return null;
    }
}
