package dev.weft.controlplane.http;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.weft.api.ValidationException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A blocking query's parameters, as Consul defines them: {@code index} is the index the client
 * already has (0 or absent: answer at once), {@code wait} how long to hold the request open for a
 * change (default 5m, larger values clamped to 10m), plus up to wait/16 of random jitter so that
 * many watchers do not come back together.
 */
record BlockingQuery(long index, Duration maxWait) {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    static final int JITTER_FRACTION = 16;
    /** Longest a blocking request may be held, jitter included. */
    static final Duration LONGEST = MAX_WAIT.plus(MAX_WAIT.dividedBy(JITTER_FRACTION));

    static BlockingQuery parse(QueryParams params) {
        long index = 0;
        String i = params.get("index");
        if (i != null && !i.isEmpty()) {
            try {
                index = Long.parseLong(i);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new ValidationException("index", "'" + GoDuration.printable(i) + "' is not a non-negative integer");
            }
        }
        Duration wait = DEFAULT_WAIT;
        String w = params.get("wait");
        if (w != null && !w.isEmpty()) {
            wait = GoDuration.parse("wait", w);
            if (wait.isNegative()) {
                throw new ValidationException("wait", "must not be negative");
            }
            if (wait.isZero()) {
                wait = DEFAULT_WAIT;
            } else if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
        }
        return new BlockingQuery(index, wait);
    }

    boolean blocks() {
        return index > 0;
    }

    Duration waitWithJitter() {
        long bound = maxWait.toMillis() / JITTER_FRACTION;
        return bound <= 0 ? maxWait : maxWait.plusMillis(ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * Completes when there is something to answer: at once without an index, otherwise when
     * {@code await} completes. A client that goes away releases its waiter early.
     */
    CompletableFuture<Long> await(ServiceRequestContext ctx, Awaiter await, LongSupplier current) {
        if (!blocks()) {
            return CompletableFuture.completedFuture(current.getAsLong());
        }
        CompletableFuture<Long> f = await.await(index, waitWithJitter());
        ctx.whenRequestCancelling().thenRun(() -> f.complete(current.getAsLong()));
        return f;
    }

    interface Awaiter {
        CompletableFuture<Long> await(long index, Duration wait);
    }
}
