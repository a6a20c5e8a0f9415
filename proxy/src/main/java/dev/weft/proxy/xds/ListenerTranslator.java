package dev.weft.proxy.xds;

import dev.weft.proxy.config.RouteTable;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.InetSocketAddress;

/** LDS: a Listener with one HTTP connection manager, its routes by RDS name or inline. */
final class ListenerTranslator {
    static final String KIND = "Listener";
    static final String HCM_TYPE = "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
    static final String ROUTER_TYPE = "type.googleapis.com/"
            + io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor().getFullName();
    static final String ROUTER_NAME = "envoy.filters.http.router";

    private ListenerTranslator() {
    }

    /**
     * A translated listener: exactly one of {@code rdsName} and {@code inlineRoutes} is set.
     */
    record ListenerResource(String name, InetSocketAddress address, String rdsName, RouteTable inlineRoutes) {
    }

    static ListenerResource translate(Listener l) throws XdsResourceException {
        if (l.getName().isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return listener(l);
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, l.getName(), e.field, e.getMessage());
        }
    }

    private static ListenerResource listener(Listener l) throws Protos.FieldException {
        if (l.hasApiListener()) {
            throw new Protos.FieldException("api_listener", "API listeners are for proxyless gRPC clients, not the sidecar");
        }
        if (!l.hasAddress()) {
            throw new Protos.FieldException("address", "required");
        }
        InetSocketAddress address = Protos.socketAddress(l.getAddress(), "address");
        if (l.getListenerFiltersCount() > 0) {
            throw new Protos.FieldException("listener_filters[0]", "listener filters are not supported ('"
                    + l.getListenerFilters(0).getName() + "')");
        }
        if (l.hasDefaultFilterChain()) {
            throw new Protos.FieldException("default_filter_chain", "not supported");
        }
        if (l.getFilterChainsCount() != 1) {
            throw new Protos.FieldException("filter_chains", "exactly one filter chain is supported, got " + l.getFilterChainsCount());
        }
        FilterChain chain = l.getFilterChains(0);
        if (chain.hasFilterChainMatch()) {
            throw new Protos.FieldException("filter_chains[0].filter_chain_match", "filter chain matching is not supported");
        }
        if (chain.hasTransportSocket()) {
            throw new Protos.FieldException("filter_chains[0].transport_socket", "downstream TLS is not supported yet");
        }
        if (chain.getFiltersCount() != 1) {
            throw new Protos.FieldException("filter_chains[0].filters", "exactly one network filter (the HTTP connection manager) "
                    + "is supported, got " + chain.getFiltersCount());
        }
        Filter filter = chain.getFilters(0);
        String ff = "filter_chains[0].filters[0]";
        if (filter.getConfigTypeCase() != Filter.ConfigTypeCase.TYPED_CONFIG || !filter.getTypedConfig().getTypeUrl().equals(HCM_TYPE)) {
            String type = filter.hasTypedConfig() ? filter.getTypedConfig().getTypeUrl() : filter.getConfigTypeCase().toString();
            throw new Protos.FieldException(ff, "unsupported network filter '" + filter.getName() + "' (" + type
                    + "); only envoy.filters.network.http_connection_manager is supported");
        }
        HttpConnectionManager hcm = Protos.unpack(filter.getTypedConfig(), HttpConnectionManager.getDescriptor(), HttpConnectionManager.parser(),
                ff + ".typed_config");
        String hf = ff + ".typed_config";
        httpFilters(hcm, hf);
        switch (hcm.getRouteSpecifierCase()) {
            case RDS: {
                Protos.requireAds(hcm.getRds().getConfigSource(), hf + ".rds.config_source");
                String name = hcm.getRds().getRouteConfigName();
                if (name.isEmpty()) {
                    throw new Protos.FieldException(hf + ".rds.route_config_name", "required");
                }
                return new ListenerResource(l.getName(), address, name, null);
            }
            case ROUTE_CONFIG:
                return new ListenerResource(l.getName(), address, null,
                        RouteConfigurationTranslator.routeTable(hcm.getRouteConfig(), hf + ".route_config."));
            default:
                throw new Protos.FieldException(hf, "rds or route_config is required, got "
                        + hcm.getRouteSpecifierCase().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** The router, last; other filters only when marked is_optional (then skipped). */
    private static void httpFilters(HttpConnectionManager hcm, String field) throws Protos.FieldException {
        boolean router = false;
        for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
            HttpFilter f = hcm.getHttpFilters(i);
            String ff = field + ".http_filters[" + i + "]";
            boolean isRouter = f.hasTypedConfig()
                    ? f.getTypedConfig().getTypeUrl().equals(ROUTER_TYPE)
                    : f.getName().equals(ROUTER_NAME) && f.getConfigTypeCase() == HttpFilter.ConfigTypeCase.CONFIGTYPE_NOT_SET;
            if (isRouter) {
                if (i != hcm.getHttpFiltersCount() - 1) {
                    throw new Protos.FieldException(ff, "the router filter must be last");
                }
                router = true;
            } else if (!f.getIsOptional()) {
                String type = f.hasTypedConfig() ? f.getTypedConfig().getTypeUrl() : f.getConfigTypeCase().toString();
                throw new Protos.FieldException(ff, "unsupported HTTP filter '" + f.getName() + "' (" + type
                        + "); mark it is_optional or remove it");
            }
        }
        if (!router) {
            throw new Protos.FieldException(field + ".http_filters", "the router filter (" + ROUTER_NAME + ") is required, last");
        }
    }

}
