package dev.weft.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A path-prefix route to a cluster.
 *
 * @param timeout the whole request's deadline (Envoy's route timeout); {@link Duration#ZERO} disables it
 */
public record Route(String pathPrefix, String cluster, Duration timeout) {
    public Route {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(timeout, "timeout");
    }
}
