package dev.weft.proxy.config;

/** Endpoint health as EDS reports it: the registry's passing, warning and critical. */
public enum EndpointHealth {
    HEALTHY,
    DEGRADED,
    UNHEALTHY
}
