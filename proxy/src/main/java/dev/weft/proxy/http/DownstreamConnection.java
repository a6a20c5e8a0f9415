package dev.weft.proxy.http;

/** An accepted connection as drain sees it: HTTP/1.1 (one exchange at a time) or HTTP/2 (many streams). */
interface DownstreamConnection {
    /**
     * The listener is draining. Returns true when the connection closed (or is closing) with nothing
     * in flight; false when exchanges are still running and it will close after them.
     */
    boolean drain();

    /** The drain timeout passed with this connection still open: close it now. */
    void forceClose();
}
