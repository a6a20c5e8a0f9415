package dev.weft.proxy.xds;

import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** RDS (or an HCM's inline route_config): virtual hosts with prefix routes to one cluster each. */
final class RouteConfigurationTranslator {
    static final String KIND = "RouteConfiguration";
    /** Envoy's route timeout when the route sets none. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private RouteConfigurationTranslator() {
    }

    static RouteTable translate(RouteConfiguration rc) throws XdsResourceException {
        if (rc.getName().isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return routeTable(rc, "");
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, rc.getName(), e.field, e.getMessage());
        }
    }

    static RouteTable routeTable(RouteConfiguration rc, String prefix) throws Protos.FieldException {
        if (rc.hasVhds()) {
            throw new Protos.FieldException(prefix + "vhds", "VHDS is not supported");
        }
        List<VirtualHost> hosts = new ArrayList<>();
        for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
            var vh = rc.getVirtualHosts(i);
            String vf = prefix + "virtual_hosts[" + i + "]";
            if (vh.getDomainsCount() == 0) {
                throw new Protos.FieldException(vf + ".domains", "at least one domain is required");
            }
            List<Route> routes = new ArrayList<>();
            for (int j = 0; j < vh.getRoutesCount(); j++) {
                routes.add(route(vh.getRoutes(j), vf + ".routes[" + j + "]"));
            }
            hosts.add(new VirtualHost(vh.getName(), vh.getDomainsList(), routes));
        }
        return new RouteTable(rc.getName(), hosts);
    }

    private static Route route(io.envoyproxy.envoy.config.route.v3.Route r, String field) throws Protos.FieldException {
        RouteMatch m = r.getMatch();
        if (m.getPathSpecifierCase() != RouteMatch.PathSpecifierCase.PREFIX) {
            throw new Protos.FieldException(field + ".match", "only prefix matches are supported, got "
                    + m.getPathSpecifierCase().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (m.getHeadersCount() > 0) {
            throw new Protos.FieldException(field + ".match.headers", "header matchers are not supported");
        }
        if (m.getQueryParametersCount() > 0) {
            throw new Protos.FieldException(field + ".match.query_parameters", "query parameter matchers are not supported");
        }
        if (m.hasCaseSensitive() && !m.getCaseSensitive().getValue()) {
            throw new Protos.FieldException(field + ".match.case_sensitive", "case-insensitive matching is not supported");
        }
        if (r.getActionCase() != io.envoyproxy.envoy.config.route.v3.Route.ActionCase.ROUTE) {
            throw new Protos.FieldException(field, "only a route action is supported, got "
                    + r.getActionCase().name().toLowerCase(java.util.Locale.ROOT));
        }
        RouteAction action = r.getRoute();
        if (action.getClusterSpecifierCase() != RouteAction.ClusterSpecifierCase.CLUSTER) {
            throw new Protos.FieldException(field + ".route", "only a single cluster is supported, got "
                    + action.getClusterSpecifierCase().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (action.getCluster().isEmpty()) {
            throw new Protos.FieldException(field + ".route.cluster", "required");
        }
        Duration timeout = action.hasTimeout() ? Protos.duration(action.getTimeout(), field + ".route.timeout") : DEFAULT_TIMEOUT;
        return new Route(m.getPrefix(), action.getCluster(), timeout, hashPolicies(action, field + ".route.hash_policy"));
    }

    private static List<HashPolicy> hashPolicies(RouteAction action, String field) throws Protos.FieldException {
        List<HashPolicy> out = new ArrayList<>(action.getHashPolicyCount());
        for (int i = 0; i < action.getHashPolicyCount(); i++) {
            RouteAction.HashPolicy h = action.getHashPolicy(i);
            String f = field + "[" + i + "]";
            switch (h.getPolicySpecifierCase()) {
                case HEADER -> {
                    if (h.getHeader().getHeaderName().isEmpty()) {
                        throw new Protos.FieldException(f + ".header.header_name", "required");
                    }
                    if (h.getHeader().hasRegexRewrite()) {
                        throw new Protos.FieldException(f + ".header.regex_rewrite", "not supported");
                    }
                    out.add(new HashPolicy(HashPolicy.Kind.HEADER, h.getHeader().getHeaderName(), h.getTerminal()));
                }
                case COOKIE -> {
                    if (h.getCookie().getName().isEmpty()) {
                        throw new Protos.FieldException(f + ".cookie.name", "required");
                    }
                    if (h.getCookie().hasTtl()) {
                        throw new Protos.FieldException(f + ".cookie.ttl", "generating cookies is not supported");
                    }
                    out.add(new HashPolicy(HashPolicy.Kind.COOKIE, h.getCookie().getName(), h.getTerminal()));
                }
                case CONNECTION_PROPERTIES -> {
                    // source_ip false asks for nothing, as in Envoy
                    if (h.getConnectionProperties().getSourceIp()) {
                        out.add(new HashPolicy(HashPolicy.Kind.SOURCE_IP, "", h.getTerminal()));
                    }
                }
                default -> throw new Protos.FieldException(f, "only header, cookie and connection_properties hash policies are supported, got "
                        + h.getPolicySpecifierCase().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }
}
