package dev.weft.api.registry;

/** How a check learns the health of an instance. */
public enum CheckType {
    /** The instance (or its sidecar) reports status; silence for longer than the TTL makes it critical. */
    TTL,
    /** The control plane sends GET to a URL; 2xx passes, 429 warns, anything else fails. */
    HTTP,
    /** The control plane opens a TCP connection; connected passes, refused or timed out fails. */
    TCP
}
