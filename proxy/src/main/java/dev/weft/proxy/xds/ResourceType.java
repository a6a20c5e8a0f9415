package dev.weft.proxy.xds;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;

/** The four xDS types the sidecar subscribes to, in Envoy's order: CDS, EDS, LDS, RDS. */
enum ResourceType {
    CDS(Cluster.getDefaultInstance(), Cluster.getDescriptor(), true),
    EDS(ClusterLoadAssignment.getDefaultInstance(), ClusterLoadAssignment.getDescriptor(), false),
    LDS(Listener.getDefaultInstance(), Listener.getDescriptor(), true),
    RDS(RouteConfiguration.getDefaultInstance(), RouteConfiguration.getDescriptor(), false);

    final String typeUrl;
    final Message prototype;
    /** Wildcard types: a state-of-the-world response lists every resource, absence means removal. */
    final boolean wildcard;

    /**
     * @param descriptor the type's static descriptor: asking the instance ({@code getDescriptorForType})
     *     would set up protobuf's reflective field accessors for the message and its builder, which
     *     keeps a Method object per public method of both on the heap (about 9,000 for the sidecar's
     *     types) although nothing here uses reflection
     */
    ResourceType(Message prototype, Descriptors.Descriptor descriptor, boolean wildcard) {
        this.prototype = prototype;
        this.typeUrl = "type.googleapis.com/" + descriptor.getFullName();
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
