package dev.weft.proxy.xds;

import dev.weft.proxy.config.HashPolicy;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.config.VirtualHost;
import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** RDS (or an HCM's inline route_config): virtual hosts with prefix routes to one cluster each. */
final class RouteConfigurationTranslator {
    static final String KIND = "RouteConfiguration";
    /** Envoy's route timeout when the route sets none. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** Oneof cases by field number, named as protobuf-java names them (errors say which one was set). */
    private static final Map<Integer, String> PATH_SPECIFIERS = Map.of(1, "PREFIX", 2, "PATH", 10, "SAFE_REGEX",
            12, "CONNECT_MATCHER", 14, "PATH_SEPARATED_PREFIX", 15, "PATH_MATCH_POLICY");
    private static final Map<Integer, String> ACTIONS = Map.of(2, "ROUTE", 3, "REDIRECT", 7, "DIRECT_RESPONSE",
            17, "FILTER_ACTION", 18, "NON_FORWARDING_ACTION");
    private static final Map<Integer, String> CLUSTER_SPECIFIERS = Map.of(1, "CLUSTER", 2, "CLUSTER_HEADER",
            3, "WEIGHTED_CLUSTERS", 37, "CLUSTER_SPECIFIER_PLUGIN", 39, "INLINE_CLUSTER_SPECIFIER_PLUGIN");
    private static final Map<Integer, String> HASH_POLICIES = Map.of(1, "HEADER", 2, "COOKIE", 3, "CONNECTION_PROPERTIES",
            5, "QUERY_PARAMETER", 6, "FILTER_STATE");

    private RouteConfigurationTranslator() {
    }

    static RouteTable translate(byte[] encoded) throws XdsResourceException {
        String name;
        try {
            name = Protos.last(encoded, 1, "", ProtoReader::string, "");
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, "", e.field, e.getMessage());
        }
        if (name.isEmpty()) {
            throw new XdsResourceException(KIND, "", "name", "required");
        }
        try {
            return routeTable(encoded, "");
        } catch (Protos.FieldException e) {
            throw new XdsResourceException(KIND, name, e.field, e.getMessage());
        }
    }

    /** RouteConfiguration {name = 1; virtual_hosts = 2; vhds = 9}; {@code prefix} is its field path. */
    static RouteTable routeTable(byte[] rc, String prefix) throws Protos.FieldException {
        String name = "";
        boolean vhds = false;
        List<byte[]> virtualHosts = new ArrayList<>();
        try {
            ProtoReader r = Protos.reader(rc);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> name = r.string();
                    case 2 -> virtualHosts.add(r.bytes());
                    case 9 -> {
                        vhds = true;
                        r.skip();
                    }
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), e);
        }
        if (vhds) {
            throw new Protos.FieldException(prefix + "vhds", "VHDS is not supported");
        }
        List<VirtualHost> hosts = new ArrayList<>();
        for (int i = 0; i < virtualHosts.size(); i++) {
            hosts.add(virtualHost(virtualHosts.get(i), prefix + "virtual_hosts[" + i + "]"));
        }
        return new RouteTable(name, hosts);
    }

    /** VirtualHost {name = 1; domains = 2; routes = 3}. */
    private static VirtualHost virtualHost(byte[] vh, String vf) throws Protos.FieldException {
        String name = "";
        List<String> domains = new ArrayList<>();
        List<byte[]> routes = new ArrayList<>();
        try {
            ProtoReader r = new ProtoReader(vh);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> name = r.string();
                    case 2 -> domains.add(r.string());
                    case 3 -> routes.add(r.bytes());
                    default -> r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(vf, e);
        }
        if (domains.isEmpty()) {
            throw new Protos.FieldException(vf + ".domains", "at least one domain is required");
        }
        List<Route> out = new ArrayList<>();
        for (int j = 0; j < routes.size(); j++) {
            out.add(route(routes.get(j), vf + ".routes[" + j + "]"));
        }
        return new VirtualHost(name, domains, out);
    }

    /** Route {match = 1; oneof action {route = 2; redirect = 3; direct_response = 7; ...}}. */
    private static Route route(byte[] route, String field) throws Protos.FieldException {
        byte[] match = null;
        int actionCase = 0;
        byte[] action = null;
        try {
            ProtoReader r = new ProtoReader(route);
            while (r.next()) {
                if (r.field() == 1) {
                    match = r.message(match);
                } else if (ACTIONS.containsKey(r.field())) {
                    action = r.message(actionCase == r.field() ? action : null);
                    actionCase = r.field();
                } else {
                    r.skip();
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(field, e);
        }
        String prefix = prefix(match, field + ".match");
        if (actionCase != 2) {
            throw new Protos.FieldException(field, "only a route action is supported, got "
                    + Protos.caseName(ACTIONS, actionCase, "ACTION_NOT_SET"));
        }
        return routeAction(action, prefix, field + ".route");
    }

    /**
     * RouteMatch {oneof path_specifier {prefix = 1; path = 2; safe_regex = 10; ...}; case_sensitive = 4;
     * headers = 6; query_parameters = 7}: the prefix, the only match the sidecar supports.
     */
    private static String prefix(byte[] match, String field) throws Protos.FieldException {
        int pathCase = 0;
        String prefix = "";
        boolean headers = false;
        boolean queryParameters = false;
        byte[] caseSensitive = null;
        try {
            ProtoReader r = Protos.reader(match);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> {
                        prefix = r.string();
                        pathCase = 1;
                    }
                    case 4 -> caseSensitive = r.message(caseSensitive);
                    case 6 -> {
                        headers = true;
                        r.skip();
                    }
                    case 7 -> {
                        queryParameters = true;
                        r.skip();
                    }
                    default -> {
                        if (PATH_SPECIFIERS.containsKey(r.field())) {
                            pathCase = r.field();
                        }
                        r.skip();
                    }
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(field, e);
        }
        if (pathCase != 1) {
            throw new Protos.FieldException(field, "only prefix matches are supported, got "
                    + Protos.caseName(PATH_SPECIFIERS, pathCase, "PATHSPECIFIER_NOT_SET"));
        }
        if (headers) {
            throw new Protos.FieldException(field + ".headers", "header matchers are not supported");
        }
        if (queryParameters) {
            throw new Protos.FieldException(field + ".query_parameters", "query parameter matchers are not supported");
        }
        if (caseSensitive != null && !Protos.boolValue(caseSensitive, field + ".case_sensitive")) {
            throw new Protos.FieldException(field + ".case_sensitive", "case-insensitive matching is not supported");
        }
        return prefix;
    }

    /** RouteAction {oneof cluster_specifier {cluster = 1; cluster_header = 2; weighted_clusters = 3; ...}; timeout = 8; hash_policy = 15}. */
    private static Route routeAction(byte[] action, String prefix, String field) throws Protos.FieldException {
        int clusterCase = 0;
        String cluster = "";
        byte[] timeout = null;
        List<byte[]> hashPolicies = new ArrayList<>();
        try {
            ProtoReader r = Protos.reader(action);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> {
                        cluster = r.string();
                        clusterCase = 1;
                    }
                    case 8 -> timeout = r.message(timeout);
                    case 15 -> hashPolicies.add(r.bytes());
                    default -> {
                        if (CLUSTER_SPECIFIERS.containsKey(r.field())) {
                            clusterCase = r.field();
                        }
                        r.skip();
                    }
                }
            }
        } catch (MalformedProtoException e) {
            throw Protos.malformed(field, e);
        }
        if (clusterCase != 1) {
            throw new Protos.FieldException(field, "only a single cluster is supported, got "
                    + Protos.caseName(CLUSTER_SPECIFIERS, clusterCase, "CLUSTERSPECIFIER_NOT_SET"));
        }
        if (cluster.isEmpty()) {
            throw new Protos.FieldException(field + ".cluster", "required");
        }
        Duration t = timeout != null ? Protos.duration(timeout, field + ".timeout") : DEFAULT_TIMEOUT;
        return new Route(prefix, cluster, t, hashPolicies(hashPolicies, field + ".hash_policy"));
    }

    /** HashPolicy {oneof policy_specifier {header = 1; cookie = 2; connection_properties = 3; ...}; terminal = 4}. */
    private static List<HashPolicy> hashPolicies(List<byte[]> policies, String field) throws Protos.FieldException {
        List<HashPolicy> out = new ArrayList<>(policies.size());
        for (int i = 0; i < policies.size(); i++) {
            String f = field + "[" + i + "]";
            int policyCase = 0;
            byte[] policy = null;
            boolean terminal = false;
            // Header {header_name = 1; regex_rewrite = 2}, Cookie {name = 1; ttl = 2}, ConnectionProperties {source_ip = 1}
            String name = "";
            boolean second = false;
            boolean sourceIp = false;
            try {
                ProtoReader r = new ProtoReader(policies.get(i));
                while (r.next()) {
                    if (r.field() == 4) {
                        terminal = r.bool();
                    } else if (HASH_POLICIES.containsKey(r.field())) {
                        policy = r.message(policyCase == r.field() ? policy : null);
                        policyCase = r.field();
                    } else {
                        r.skip();
                    }
                }
                ProtoReader p = Protos.reader(policy);
                while (p.next()) {
                    if (p.field() == 1 && policyCase == 3) {
                        sourceIp = p.bool();
                    } else if (p.field() == 1 && (policyCase == 1 || policyCase == 2)) {
                        name = p.string();
                    } else {
                        second |= p.field() == 2;
                        p.skip();
                    }
                }
            } catch (MalformedProtoException e) {
                throw Protos.malformed(f, e);
            }
            switch (policyCase) {
                case 1 -> {
                    if (name.isEmpty()) {
                        throw new Protos.FieldException(f + ".header.header_name", "required");
                    }
                    if (second) {
                        throw new Protos.FieldException(f + ".header.regex_rewrite", "not supported");
                    }
                    out.add(new HashPolicy(HashPolicy.Kind.HEADER, name, terminal));
                }
                case 2 -> {
                    if (name.isEmpty()) {
                        throw new Protos.FieldException(f + ".cookie.name", "required");
                    }
                    if (second) {
                        throw new Protos.FieldException(f + ".cookie.ttl", "generating cookies is not supported");
                    }
                    out.add(new HashPolicy(HashPolicy.Kind.COOKIE, name, terminal));
                }
                case 3 -> {
                    // source_ip false asks for nothing, as in Envoy
                    if (sourceIp) {
                        out.add(new HashPolicy(HashPolicy.Kind.SOURCE_IP, "", terminal));
                    }
                }
                default -> throw new Protos.FieldException(f, "only header, cookie and connection_properties hash policies are supported, got "
                        + Protos.caseName(HASH_POLICIES, policyCase, "POLICYSPECIFIER_NOT_SET"));
            }
        }
        return out;
    }
}
