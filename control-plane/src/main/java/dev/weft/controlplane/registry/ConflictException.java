package dev.weft.controlplane.registry;

/** The request is valid on its own but clashes with what is registered (for example a check id owned by another instance). */
public final class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
