package dev.weft.proxy.cluster;

import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.lb.Backend;

/** A backend with the connection pool to its address, on one event loop. */
public final class UpstreamHost extends Backend {
    private final ConnectionPool pool;

    UpstreamHost(Endpoint endpoint, ConnectionPool pool, long servingSinceNanos) {
        super(endpoint, servingSinceNanos);
        this.pool = pool;
    }

    public ConnectionPool pool() {
        return pool;
    }
}
