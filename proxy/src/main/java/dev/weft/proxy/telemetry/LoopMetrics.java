package dev.weft.proxy.telemetry;

import io.netty.util.collection.IntObjectHashMap;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Records requests for one event loop. Label data points are looked up once and cached by
 * (direction, destination, code, reason), so a request records without allocating.
 */
public final class LoopMetrics {
    private final ProxyMetrics metrics;
    private final EnumMap<Direction, Map<String, Destination>> destinations = new EnumMap<>(Direction.class);

    LoopMetrics(ProxyMetrics metrics) {
        this.metrics = metrics;
        for (Direction d : Direction.values()) {
            destinations.put(d, new HashMap<>());
        }
    }

    /** One finished request: its status code, reason ("none" when the upstream answered) and duration. */
    public void request(Direction direction, String destination, int code, String reason, long durationNanos) {
        destination(direction, destination).record(code, reason, durationNanos);
    }

    /**
     * The recorder of one destination, for a caller that records many requests to it (a connection
     * keeps the one of its last destination: no map lookup per request).
     */
    public Destination destination(Direction direction, String destination) {
        Map<String, Destination> byName = destinations.get(direction);
        Destination d = byName.get(destination);
        if (d == null) {
            d = new Destination(direction, destination);
            byName.put(destination, d);
        }
        return d;
    }

    /** The data points of one (direction, destination); belongs to the event loop's thread like its LoopMetrics. */
    public final class Destination {
        private final String direction;
        private final String destination;
        private final DistributionDataPoint duration;
        private final IntObjectHashMap<Map<String, CounterDataPoint>> byCode = new IntObjectHashMap<>();

        Destination(Direction direction, String destination) {
            this.direction = direction.label();
            this.destination = destination;
            this.duration = metrics.duration.labelValues(this.direction, destination);
        }

        /** One finished request: its status code, reason ("none" when the upstream answered) and duration. */
        public void record(int code, String reason, long durationNanos) {
            CounterDataPoint p;
            if (code == lastCode && reason == lastReason) {
                p = lastCounter; // a steady stream of one outcome: no lookup
            } else {
                p = counter(code, reason);
                lastCode = code;
                lastReason = reason;
                lastCounter = p;
            }
            p.inc();
            duration.observe(durationNanos / 1e9);
        }

        private int lastCode = -1;
        private String lastReason;
        private CounterDataPoint lastCounter;

        CounterDataPoint counter(int code, String reason) {
            Map<String, CounterDataPoint> byReason = byCode.get(code);
            if (byReason == null) {
                byReason = new HashMap<>(4);
                byCode.put(code, byReason);
            }
            CounterDataPoint p = byReason.get(reason);
            if (p == null) {
                p = metrics.requests.labelValues(direction, destination, Integer.toString(code), reason);
                byReason.put(reason, p);
            }
            return p;
        }
    }
}
