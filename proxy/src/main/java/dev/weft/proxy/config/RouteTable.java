package dev.weft.proxy.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Virtual hosts by domain. Lookup is by the request's authority (Host header or the proxy-form
 * URI's host), case-insensitive, with the port ignored; "*" matches any host that no other
 * domain matches. The index is built once, so a lookup is one map read.
 */
public record RouteTable(String name, List<VirtualHost> virtualHosts, Map<String, VirtualHost> byDomain, VirtualHost wildcard) {

    public RouteTable(String name, List<VirtualHost> virtualHosts) {
        this(name, List.copyOf(virtualHosts), index(virtualHosts), wildcardOf(virtualHosts));
    }

    public RouteTable {
        virtualHosts = List.copyOf(virtualHosts);
        byDomain = Map.copyOf(byDomain);
    }

    /** The virtual host for an authority such as {@code catalog}, {@code Catalog:80} or {@code [::1]:8080}; null if none. */
    public VirtualHost match(String authority) {
        if (authority == null) {
            return wildcard;
        }
        String host = stripPort(authority).toLowerCase(Locale.ROOT);
        VirtualHost vh = byDomain.get(host);
        return vh != null ? vh : wildcard;
    }

    static String stripPort(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end > 0 ? authority.substring(0, end + 1) : authority;
        }
        int colon = authority.indexOf(':');
        return colon >= 0 && authority.indexOf(':', colon + 1) < 0 ? authority.substring(0, colon) : authority;
    }

    private static Map<String, VirtualHost> index(List<VirtualHost> hosts) {
        Map<String, VirtualHost> m = new HashMap<>();
        for (VirtualHost vh : hosts) {
            for (String d : vh.domains()) {
                if (!d.equals("*")) {
                    m.putIfAbsent(stripPort(d).toLowerCase(Locale.ROOT), vh);
                }
            }
        }
        return m;
    }

    private static VirtualHost wildcardOf(List<VirtualHost> hosts) {
        for (VirtualHost vh : hosts) {
            if (vh.domains().contains("*")) {
                return vh;
            }
        }
        return null;
    }
}
