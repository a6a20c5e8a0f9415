package dev.weft.proxy.telemetry;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

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
    {
        GaugeWithCallback.builder()
                .name("weft_netty_direct_memory_bytes")
                .help("Direct memory held by Netty's default buffer allocator (pooled chunks included)")
                .callback(cb -> cb.call(nettyDirectMemory()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("weft_jvm_direct_buffer_bytes")
                .help("Direct memory of the JVM's direct ByteBuffers (what -XX:MaxDirectMemorySize limits)")
                .callback(cb -> cb.call(jvmDirectMemory()))
                .register(registry);
    }
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

    /** Direct memory of Netty's default allocator; Netty's own counter when the allocator exports no metric. */
    public static long nettyDirectMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory();
        }
        return PlatformDependent.usedDirectMemory();
    }

    /** Bytes in the JVM's "direct" buffer pool, -1 when the JVM does not report it. */
    public static long jvmDirectMemory() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
