package dev.weft.proxy.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets at most one log line through per interval and counts the ones held back, so that a
 * failure storm (every request answered 503, say) costs one line a second instead of one per
 * request. Lock-free; shared by a listener's event loops. Times are passed in (nanoseconds from
 * any monotonic clock), so tests drive it with their own.
 */
final class LogGate {
    private final long intervalNanos;
    private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong held = new AtomicLong();

    LogGate(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /**
     * Returns -1 when this line must be dropped (it is counted), otherwise how many lines were
     * dropped since the last one let through.
     */
    long admit(long nowNanos) {
        long next = nextAt.get();
        if ((next != Long.MIN_VALUE && nowNanos - next < 0) || !nextAt.compareAndSet(next, nowNanos + intervalNanos)) {
            held.incrementAndGet();
            return -1;
        }
        return held.getAndSet(0);
    }
}
