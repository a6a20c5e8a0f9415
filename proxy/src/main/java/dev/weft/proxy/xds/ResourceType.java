package dev.weft.proxy.xds;

/** The four xDS types the sidecar subscribes to, in Envoy's order: CDS, EDS, LDS, RDS. */
enum ResourceType {
    CDS("envoy.config.cluster.v3.Cluster", true),
    EDS("envoy.config.endpoint.v3.ClusterLoadAssignment", false),
    LDS("envoy.config.listener.v3.Listener", true),
    RDS("envoy.config.route.v3.RouteConfiguration", false);

    final String typeUrl;
    /** Wildcard types: a state-of-the-world response lists every resource, absence means removal. */
    final boolean wildcard;

    ResourceType(String fullName, boolean wildcard) {
        this.typeUrl = Protos.TYPE_URL_PREFIX + fullName;
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
