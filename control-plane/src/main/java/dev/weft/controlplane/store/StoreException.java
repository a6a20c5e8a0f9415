package dev.weft.controlplane.store;

/** The store could not do what was asked (I/O failure, closed, corrupt file). */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
