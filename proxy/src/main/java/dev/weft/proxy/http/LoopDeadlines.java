package dev.weft.proxy.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every connection deadline of one event loop (header read, idle, route), checked by one sweep
 * every {@link #SWEEP_MILLIS} ms instead of a scheduled task per request. Arming or moving a
 * deadline is a field write: no task, no promise, no priority-queue work on the request path.
 * The price is precision: a deadline fires up to one sweep late. Confined to the loop's thread.
 */
final class LoopDeadlines {
    static final long SWEEP_MILLIS = 50;
    private static final FastThreadLocal<LoopDeadlines> PER_LOOP = new FastThreadLocal<>();

    private final ArrayList<Deadline> armed = new ArrayList<>();
    /** The loop's own clock, so that a test loop with frozen time drives deadlines too. */
    private final Ticker ticker;
    private final EventExecutor loop;

    private LoopDeadlines(EventExecutor loop) {
        this.loop = loop;
        this.ticker = loop.ticker();
        loop.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The sweeper of the calling event loop; created with its sweep task on first use. */
    static LoopDeadlines of(EventExecutor loop) {
        assert loop.inEventLoop();
        LoopDeadlines d = PER_LOOP.get();
        if (d == null || d.loop != loop) { // a thread may serve several loops in tests (EmbeddedChannel)
            d = new LoopDeadlines(loop);
            PER_LOOP.set(d);
        }
        return d;
    }

    private void sweep() {
        if (armed.isEmpty()) {
            return;
        }
        long now = ticker.nanoTime();
        // Walk backwards: a firing deadline may disarm itself (swap-remove moves the last entry here).
        for (int i = armed.size() - 1; i >= 0; i--) {
            if (i >= armed.size()) {
                continue;
            }
            Deadline d = armed.get(i);
            if (now - d.at >= 0) {
                d.disarm();
                d.expired();
            }
        }
    }

    /** One deadline; subclasses say what expiry does. */
    abstract static class Deadline {
        private final LoopDeadlines owner;
        private long at;
        private int index = -1;

        Deadline(LoopDeadlines owner) {
            this.owner = owner;
        }

        /** Sets the deadline to {@code nanos} from now, replacing any previous one. */
        final void arm(long nanos) {
            at = owner.ticker.nanoTime() + nanos;
            if (index < 0) {
                index = owner.armed.size();
                owner.armed.add(this);
            }
        }

        final void disarm() {
            if (index >= 0) {
                ArrayList<Deadline> list = owner.armed;
                Deadline last = list.remove(list.size() - 1);
                if (last != this) {
                    list.set(index, last);
                    last.index = index;
                }
                index = -1;
            }
        }

        final boolean isArmed() {
            return index >= 0;
        }

        abstract void expired();
    }
}
