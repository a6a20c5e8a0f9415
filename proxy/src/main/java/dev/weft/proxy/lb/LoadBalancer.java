package dev.weft.proxy.lb;

/**
 * Picks a backend for each request. One instance per (event loop, cluster): never shared between
 * threads, so implementations use plain fields. Built over serving backends only.
 */
public interface LoadBalancer {
    /** The backend for the next request, or null when no backend is serving. */
    Backend pick();

    /** The algorithm's name, as /clusters shows it. */
    String name();
}
