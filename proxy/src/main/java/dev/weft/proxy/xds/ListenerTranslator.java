package dev.weft.proxy.xds;

import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoAny;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** LDS: a Listener with one HTTP connection manager, its routes by RDS name or inline. */
final class ListenerTranslator {
    static final String KIND = "Listener";
    static final String HCM_NAME = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    static final String HCM_TYPE = Protos.TYPE_URL_PREFIX + HCM_NAME;
    static final String ROUTER_TYPE = Protos.TYPE_URL_PREFIX + "envoy.extensions.filters.http.router.v3.Router";
    static final String ROUTER_NAME = "envoy.filters.http.router";
    /** The config_type oneof of Filter and HttpFilter: typed_config = 4, config_discovery = 5. */
    private static final Map<Integer, String> CONFIG_TYPES = Map.of(4, "TYPED_CONFIG", 5, "CONFIG_DISCOVERY");
    private static final String CONFIG_TYPE_NOT_SET = "CONFIGTYPE_NOT_SET";

    private ListenerTranslator() {
    }

    /**
     * A translated listener: exactly one of {@code rdsName} and {@code inlineRoutes} is set.
     */
    record ListenerResource(String name, InetSocketAddress address, String rdsName, RouteTable inlineRoutes) {
    }

    static ListenerResource translate(byte[] encoded) throws XdsResourceException {
        ListenerFields l;
        try {
            l = ListenerFields.decode(new ProtoReader(encoded));
        } catch (MalformedProtoException e) {
            throw new XdsResourceException(KIND, "", "", "cannot be decoded: " + e.getMessage());
        }
        if (l.name.isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return listener(l);
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, l.name, e.field, e.getMessage());
        }
    }

    /**
     * envoy.config.listener.v3.Listener {name = 1; address = 2; filter_chains = 3; listener_filters = 9;
     * api_listener = 19; default_filter_chain = 25}.
     */
    private static final class ListenerFields {
        String name = "";
        byte[] address;
        final List<byte[]> filterChains = new ArrayList<>();
        final List<byte[]> listenerFilters = new ArrayList<>();
        boolean apiListener;
        boolean defaultFilterChain;

        static ListenerFields decode(ProtoReader r) throws MalformedProtoException {
            ListenerFields l = new ListenerFields();
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> l.name = r.string();
                    case 2 -> l.address = r.message(l.address);
                    case 3 -> l.filterChains.add(r.bytes());
                    case 9 -> l.listenerFilters.add(r.bytes());
                    case 19 -> {
                        l.apiListener = true;
                        r.skip();
                    }
                    case 25 -> {
                        l.defaultFilterChain = true;
                        r.skip();
                    }
                    default -> r.skip();
                }
            }
            return l;
        }
    }

    /** A Filter or HttpFilter: {name = 1; oneof config_type {typed_config = 4; config_discovery = 5}; is_optional = 6}. */
    private record FilterFields(String name, int configCase, ProtoAny typedConfig, boolean optional) {
        static FilterFields decode(byte[] bytes) throws MalformedProtoException {
            ProtoReader r = new ProtoReader(bytes);
            String name = "";
            int configCase = 0;
            ProtoAny typed = null;
            boolean optional = false;
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> name = r.string();
                    case 4 -> {
                        typed = ProtoAny.decode(r.message());
                        configCase = 4;
                    }
                    case 5 -> {
                        r.skip();
                        configCase = 5;
                        typed = null;
                    }
                    case 6 -> optional = r.bool();
                    default -> r.skip();
                }
            }
            return new FilterFields(name, configCase, typed, optional);
        }

        boolean hasTypedConfig() {
            return configCase == 4;
        }

        /** The typed config's URL, or which config_type case was set instead. */
        String describeType() {
            return hasTypedConfig() ? typedConfig.typeUrl() : CONFIG_TYPES.getOrDefault(configCase, CONFIG_TYPE_NOT_SET);
        }
    }

    private static ListenerResource listener(ListenerFields l) throws Protos.FieldException {
        if (l.apiListener) {
            throw new Protos.FieldException("api_listener", "API listeners are for proxyless gRPC clients, not the sidecar");
        }
        if (l.address == null) {
            throw new Protos.FieldException("address", "required");
        }
        InetSocketAddress address = Protos.socketAddress(l.address, "address");
        if (!l.listenerFilters.isEmpty()) {
            throw new Protos.FieldException("listener_filters[0]", "listener filters are not supported ('"
                    + filter(l.listenerFilters.get(0), "listener_filters[0]").name() + "')");
        }
        if (l.defaultFilterChain) {
            throw new Protos.FieldException("default_filter_chain", "not supported");
        }
        if (l.filterChains.size() != 1) {
            throw new Protos.FieldException("filter_chains", "exactly one filter chain is supported, got " + l.filterChains.size());
        }
        // FilterChain {filter_chain_match = 1; filters = 3; transport_socket = 6}
        boolean chainMatch = false;
        boolean transportSocket = false;
        List<byte[]> filters = new ArrayList<>();
        try {
            ProtoReader r = new ProtoReader(l.filterChains.get(0));
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> {
                        chainMatch = true;
                        r.skip();
                    }
                    case 3 -> filters.add(r.bytes());
                    case 6 -> {
                        transportSocket = true;
                        r.skip();
                    }
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed("filter_chains[0]", e);
        }
        if (chainMatch) {
            throw new Protos.FieldException("filter_chains[0].filter_chain_match", "filter chain matching is not supported");
        }
        if (transportSocket) {
            throw new Protos.FieldException("filter_chains[0].transport_socket", "downstream TLS is not supported yet");
        }
        if (filters.size() != 1) {
            throw new Protos.FieldException("filter_chains[0].filters", "exactly one network filter (the HTTP connection manager) "
                    + "is supported, got " + filters.size());
        }
        String ff = "filter_chains[0].filters[0]";
        FilterFields filter = filter(filters.get(0), ff);
        if (!filter.hasTypedConfig() || !filter.typedConfig().typeUrl().equals(HCM_TYPE)) {
            throw new Protos.FieldException(ff, "unsupported network filter '" + filter.name() + "' (" + filter.describeType()
                    + "); only envoy.filters.network.http_connection_manager is supported");
        }
        String hf = ff + ".typed_config";
        Hcm hcm = Hcm.decode(Protos.unpack(filter.typedConfig(), HCM_NAME, hf), hf);
        httpFilters(hcm, hf);
        switch (hcm.routeCase) {
            case Hcm.RDS: { // Rds {config_source = 1; route_config_name = 2}
                byte[] configSource = Protos.message(hcm.route, 1, hf + ".rds");
                String name = Protos.last(hcm.route, 2, "", ProtoReader::string, hf + ".rds");
                Protos.requireAds(configSource, hf + ".rds.config_source");
                if (name.isEmpty()) {
                    throw new Protos.FieldException(hf + ".rds.route_config_name", "required");
                }
                return new ListenerResource(l.name, address, name, null);
            }
            case Hcm.ROUTE_CONFIG:
                return new ListenerResource(l.name, address, null,
                        RouteConfigurationTranslator.routeTable(hcm.route, hf + ".route_config."));
            default:
                throw new Protos.FieldException(hf, "rds or route_config is required, got "
                        + Protos.caseName(Hcm.ROUTE_CASES, hcm.routeCase, "ROUTESPECIFIER_NOT_SET"));
        }
    }

    private static FilterFields filter(byte[] bytes, String field) throws Protos.FieldException {
        try {
            return FilterFields.decode(bytes);
        } catch (MalformedProtoException e) {
            throw Protos.malformed(field, e);
        }
    }

    /** HttpConnectionManager {oneof route_specifier {rds = 3; route_config = 4; scoped_routes = 31}; http_filters = 5}. */
    private static final class Hcm {
        static final int RDS = 3;
        static final int ROUTE_CONFIG = 4;
        static final Map<Integer, String> ROUTE_CASES = Map.of(RDS, "RDS", ROUTE_CONFIG, "ROUTE_CONFIG", 31, "SCOPED_ROUTES");
        int routeCase;
        byte[] route;
        final List<byte[]> httpFilters = new ArrayList<>();

        static Hcm decode(ProtoReader r, String field) throws Protos.FieldException {
            Hcm h = new Hcm();
            try {
                while (r.next()) {
                    switch (r.field()) {
                        case RDS, ROUTE_CONFIG, 31 -> {
                            h.route = r.message(h.routeCase == r.field() ? h.route : null);
                            h.routeCase = r.field();
                        }
                        case 5 -> h.httpFilters.add(r.bytes());
                        default -> r.skip();
                    }
                }
            } catch (MalformedProtoException e) {
                throw new Protos.FieldException(field, "cannot be decoded as " + HCM_NAME + ": " + e.getMessage());
            }
            return h;
        }
    }

    /** The router, last; other filters only when marked is_optional (then skipped). */
    private static void httpFilters(Hcm hcm, String field) throws Protos.FieldException {
        boolean router = false;
        int count = hcm.httpFilters.size();
        for (int i = 0; i < count; i++) {
            String ff = field + ".http_filters[" + i + "]";
            FilterFields f = filter(hcm.httpFilters.get(i), ff);
            boolean isRouter = f.hasTypedConfig()
                    ? f.typedConfig().typeUrl().equals(ROUTER_TYPE)
                    : f.name().equals(ROUTER_NAME) && f.configCase() == 0;
            if (isRouter) {
                if (i != count - 1) {
                    throw new Protos.FieldException(ff, "the router filter must be last");
                }
                router = true;
            } else if (!f.optional()) {
                throw new Protos.FieldException(ff, "unsupported HTTP filter '" + f.name() + "' (" + f.describeType()
                        + "); mark it is_optional or remove it");
            }
        }
        if (!router) {
            throw new Protos.FieldException(field + ".http_filters", "the router filter (" + ROUTER_NAME + ") is required, last");
        }
    }
}
