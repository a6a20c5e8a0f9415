package dev.weft.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A path-prefix route to a cluster.
 *
 * @param timeout the whole request's deadline (Envoy's route timeout); {@link Duration#ZERO} disables it
 * @param hashPolicies the request key for hashing balancers, combined in order; empty = random pick
 */
public record Route(String pathPrefix, String cluster, Duration timeout, List<HashPolicy> hashPolicies) {
    public Route {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(timeout, "timeout");
        hashPolicies = hashPolicies == null ? List.of() : List.copyOf(hashPolicies);
    }

    public Route(String pathPrefix, String cluster, Duration timeout) {
        this(pathPrefix, cluster, timeout, List.of());
    }
}
