package dev.weft.controlplane.registry;

/** The named instance or check is not registered. */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
