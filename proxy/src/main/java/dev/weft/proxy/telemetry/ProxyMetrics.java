package dev.weft.proxy.telemetry;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The sidecar's metrics, in a registry of its own (several sidecars may share a JVM in tests).
 * Request paths record through a {@link LoopMetrics} per event loop, which caches label data points.
 */
public final class ProxyMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder()
            .name("weft_requests_total")
            .help("Requests handled by the sidecar, by direction, destination cluster, status code and weft error reason (none when the upstream answered)")
            .labelNames("direction", "destination", "code", "reason")
            .withoutExemplars()
            .register(registry);
    final Histogram duration = Histogram.builder()
            .name("weft_request_duration_seconds")
            .help("Time from request headers received to the last response byte written")
            .unit(Unit.SECONDS)
            .labelNames("direction", "destination")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .withoutExemplars()
            .register(registry);
    private final Gauge activeConnections = Gauge.builder()
            .name("weft_active_connections")
            .help("Open downstream connections, by listener")
            .labelNames("listener")
            .register(registry);
    private final Gauge upstreamConnections = Gauge.builder()
            .name("weft_upstream_connections")
            .help("Open upstream connections, by cluster")
            .labelNames("cluster")
            .register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** A recorder for one event loop; not thread-safe, create one per loop. */
    public LoopMetrics forLoop() {
        return new LoopMetrics(this);
    }

    public GaugeDataPoint activeConnections(String listener) {
        return activeConnections.labelValues(listener);
    }

    public GaugeDataPoint upstreamConnections(String cluster) {
        return upstreamConnections.labelValues(cluster);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
