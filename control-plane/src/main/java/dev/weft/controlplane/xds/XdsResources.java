package dev.weft.controlplane.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;

/** The resources of one snapshot, by type, each list ordered by name (so that equal content compares equal). */
record XdsResources(List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Listener> listeners,
                    List<RouteConfiguration> routes) {

    XdsResources {
        clusters = List.copyOf(clusters);
        endpoints = List.copyOf(endpoints);
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
    }

    List<? extends Message> of(Type type) {
        return switch (type) {
            case CDS -> clusters;
            case EDS -> endpoints;
            case LDS -> listeners;
            case RDS -> routes;
        };
    }

    /** The four resource types Weft serves, with their type URLs and metric label. */
    enum Type {
        CDS(Resources.V3.CLUSTER_TYPE_URL),
        EDS(Resources.V3.ENDPOINT_TYPE_URL),
        LDS(Resources.V3.LISTENER_TYPE_URL),
        RDS(Resources.V3.ROUTE_TYPE_URL);

        final String typeUrl;

        Type(String typeUrl) {
            this.typeUrl = typeUrl;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Type forTypeUrl(String url) {
            for (Type t : values()) {
                if (t.typeUrl.equals(url)) {
                    return t;
                }
            }
            return null;
        }
    }
}
