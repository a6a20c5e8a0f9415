package dev.weft.proxy.config;

import java.util.List;

/** Domains served together, with their routes in match order. */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
    public VirtualHost {
        domains = List.copyOf(domains);
        routes = List.copyOf(routes);
    }

    /** The first route whose prefix matches the path; null if none. */
    public Route match(String path) {
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (path.startsWith(r.pathPrefix())) {
                return r;
            }
        }
        return null;
    }
}
