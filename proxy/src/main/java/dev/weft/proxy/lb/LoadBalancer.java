package dev.weft.proxy.lb;

/**
 * Picks a backend for each request. One instance per (event loop, cluster): never shared between
 * threads, so implementations use plain fields.
 */
public interface LoadBalancer {
    /** The backend for the next request, or null when no backend can take it. */
    Backend pick();

    /**
     * The backend for a request whose key hashes to {@code hash}. Only hashing balancers
     * ({@link #usesHash()}) look at it; the rest pick as {@link #pick()} does.
     */
    default Backend pick(long hash) {
        return pick();
    }

    /** Whether {@link #pick(long)} depends on the hash, so the data path should compute one. */
    default boolean usesHash() {
        return false;
    }

    /** The algorithm's name, as /clusters shows it. */
    String name();
}
