package dev.weft.bench;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One connection's share of a fixed-rate run, whatever its protocol: a schedule of intended send
 * times spaced {@code connections / rate} apart, the requests that are due but cannot go out yet
 * (HTTP/1.1: one still in flight; h2: the peer's stream limit), and what came back. A request's
 * latency is measured from its intended send time, so a stall shows up in the percentiles instead
 * of silently lowering the rate (coordinated omission corrected). Every method runs on the
 * connection's event loop.
 */
final class RequestSchedule {
    /** The protocol side of one connection. */
    interface Sender {
        /** Whether one more request can go out now. */
        boolean canSend();

        /** Sends one request; the sender reports its end through {@link #answered} or {@link #failed}. */
        void send(long intendedNanos);
    }

    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }

    /** Responses of any status, latency from the intended send time. */
    final Histogram histogram = newHistogram();
    private final Sender sender;
    private final ArrayDeque<Long> late = new ArrayDeque<>();
    private EventLoop loop;
    private long next;
    private long interval;
    private long end;
    private boolean record;
    private CountDownLatch done;
    private int inFlight;
    private boolean lost;
    private boolean draining;
    long answered;
    long non2xx;
    long failed;

    RequestSchedule(Sender sender) {
        this.sender = sender;
    }

    void startPhase(EventLoop eventLoop, long first, long intervalNanos, long phaseEnd, boolean recordIt, CountDownLatch latch) {
        loop = eventLoop;
        next = first;
        interval = intervalNanos;
        end = phaseEnd;
        record = recordIt;
        done = latch;
        histogram.reset();
        answered = 0;
        non2xx = 0;
        failed = 0;
        tick();
    }

    /** Sends or queues every request that is due by now, and re-arms for the next one. */
    private void tick() {
        long now = System.nanoTime();
        while (next <= now && next < end) {
            if (!lost && late.isEmpty() && sender.canSend()) {
                dispatch(next); // the usual case, without boxing the time into the queue
            } else {
                late.add(next);
            }
            next += interval;
        }
        drain();
        if (next < end) {
            loop.schedule(this::tick, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
        } else {
            maybeDone();
        }
    }

    /** A response arrived (any status) for the request intended at {@code intendedNanos}. */
    void answered(long intendedNanos, int status) {
        long latency = System.nanoTime() - intendedNanos;
        inFlight--;
        if (record) {
            histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
            answered++;
            if (status < 200 || status > 299) {
                non2xx++;
            }
        }
        drain();
        maybeDone();
    }

    /** The request ended without a response: stream reset, refused after GOAWAY, or connection lost. */
    void failed(long intendedNanos) {
        inFlight--;
        countFailure();
        drain();
        maybeDone();
    }

    /** The connection is closed or going away: its queued and future requests fail at once. */
    void lost() {
        lost = true;
        drain();
        maybeDone();
    }

    private void dispatch(long intendedNanos) {
        inFlight++;
        sender.send(intendedNanos);
    }

    private void drain() {
        if (draining) { // a send that fails at once reports back from inside this loop
            return;
        }
        draining = true;
        try {
            while (!late.isEmpty() && (lost || sender.canSend())) {
                long intended = late.poll();
                if (lost) {
                    countFailure();
                } else {
                    dispatch(intended);
                }
            }
        } finally {
            draining = false;
        }
    }

    private void countFailure() {
        if (record) {
            failed++;
        }
    }

    private void maybeDone() {
        if (done != null && next >= end && late.isEmpty() && inFlight == 0) {
            CountDownLatch d = done;
            done = null;
            d.countDown();
        }
    }
}
