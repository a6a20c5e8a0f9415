package dev.weft.proxy.xds;

/**
 * A resource the sidecar cannot accept. The message names the resource and the field path, as the
 * NACK's error_detail carries it: {@code Cluster 'catalog': type: unsupported cluster type STRICT_DNS ...}.
 */
final class XdsResourceException extends Exception {
    private static final long serialVersionUID = 1L;

    XdsResourceException(String kind, String resourceName, String field, String reason) {
        super(kind + " '" + resourceName + "': " + (field.isEmpty() ? "" : field + ": ") + reason);
    }
}
