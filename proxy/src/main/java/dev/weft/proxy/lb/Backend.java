package dev.weft.proxy.lb;

import dev.weft.proxy.config.Endpoint;

/**
 * An endpoint as a balancer sees it: its configuration, its in-flight request count and, for
 * PEAK_EWMA, its latency estimate. Confined to one event loop, like the balancer that picks it, so
 * the state is plain fields.
 */
public class Backend {
    /** {@link #onEnd(long)} without a latency sample (the request failed before a response). */
    public static final long NO_LATENCY = -1;
    /** {@link #servingSinceNanos()} of an endpoint that was serving when its cluster was first built. */
    public static final long ALWAYS_SERVING = Long.MIN_VALUE;

    private final Endpoint endpoint;
    private final long servingSinceNanos;
    private int activeRequests;
    PeakEwma ewma;

    public Backend(Endpoint endpoint) {
        this(endpoint, ALWAYS_SERVING);
    }

    /** @param servingSinceNanos nano-clock time this endpoint started serving, for slow start */
    public Backend(Endpoint endpoint, long servingSinceNanos) {
        this.endpoint = endpoint;
        this.servingSinceNanos = servingSinceNanos;
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

    public final long servingSinceNanos() {
        return servingSinceNanos;
    }

    /** A request was sent to this backend. */
    public final void onStart() {
        activeRequests++;
    }

    /** A request to this backend finished, whatever the outcome, with no latency sample. */
    public final void onEnd() {
        onEnd(NO_LATENCY);
    }

    /**
     * A request to this backend finished.
     *
     * @param latencyNanos from request to complete response, or {@link #NO_LATENCY}
     */
    public final void onEnd(long latencyNanos) {
        if (activeRequests > 0) {
            activeRequests--;
        }
        if (latencyNanos >= 0 && ewma != null) {
            ewma.observe(latencyNanos);
        }
    }
}
