package dev.weft.proxy.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The downstream connections (HTTP/1.1 and HTTP/2) one listener has on one event loop. Confined to that loop: the
 * request path adds and removes without locks, and drain asks each loop through a task on it.
 */
final class LoopConnections {
    private final Set<DownstreamConnection> open = new LinkedHashSet<>();
    private boolean draining;
    private CompletableFuture<Void> drained;

    /** Returns false when the listener is draining: the caller closes the new connection at once. */
    boolean add(DownstreamConnection h) {
        open.add(h);
        return !draining;
    }

    void remove(DownstreamConnection h) {
        if (open.remove(h) && draining && open.isEmpty()) {
            drained.complete(null);
        }
    }

    boolean draining() {
        return draining;
    }

    /** Closes idle connections and marks busy ones to close after their exchange; returns the exchanges in flight. */
    int startDrain(CompletableFuture<Void> done) {
        draining = true;
        drained = done;
        int busy = 0;
        for (DownstreamConnection h : new ArrayList<>(open)) {
            if (!h.drain()) {
                busy++;
            }
        }
        if (open.isEmpty()) {
            done.complete(null);
        }
        return busy;
    }

    /** Force-closes whatever is left; returns how many connections were still open. */
    int closeAll() {
        int n = open.size();
        for (DownstreamConnection h : new ArrayList<>(open)) {
            h.forceClose();
        }
        return n;
    }
}
