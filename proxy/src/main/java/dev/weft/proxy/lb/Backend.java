package dev.weft.proxy.lb;

import dev.weft.proxy.config.Endpoint;

/**
 * An endpoint as a balancer sees it: its configuration and its in-flight request count. Confined to
 * one event loop, like the balancer that picks it, so the counter is a plain field.
 */
public class Backend {
    private final Endpoint endpoint;
    private int activeRequests;

    public Backend(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    public final Endpoint endpoint() {
        return endpoint;
    }

    public final int weight() {
        return endpoint.weight();
    }

    public final int activeRequests() {
        return activeRequests;
    }

    /** A request was sent to this backend. */
    public final void onStart() {
        activeRequests++;
    }

    /** A request to this backend finished, whatever the outcome. */
    public final void onEnd() {
        if (activeRequests > 0) {
            activeRequests--;
        }
    }
}
