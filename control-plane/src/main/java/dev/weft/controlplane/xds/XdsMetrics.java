package dev.weft.controlplane.xds;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/** The xDS server's metrics (docs/xds.md, "Metrics"), registered once on the control plane's registry. */
final class XdsMetrics {
    private final Counter pushes;
    private final Histogram pushDuration;

    XdsMetrics(PrometheusRegistry registry, IntSupplier connectedStreams) {
        pushes = Counter.builder()
                .name("weft_xds_pushes_total")
                .help("xDS DiscoveryResponses sent to proxies and gRPC clients, by resource type")
                .labelNames("type")
                .register(registry);
        for (XdsResources.Type t : XdsResources.Type.values()) {
            pushes.labelValues(t.label()); // every type shows up, at 0, from the first scrape
        }
        pushDuration = Histogram.builder()
                .name("weft_xds_push_duration_seconds")
                .help("Time to rebuild the xDS snapshots from the registry and hand them to the cache")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
        GaugeWithCallback.builder()
                .name("weft_xds_connected_proxies")
                .help("Open xDS streams (sidecars, Envoys and proxyless gRPC clients)")
                .callback(cb -> cb.call(connectedStreams.getAsInt()))
                .register(registry);
    }

    void pushed(XdsResources.Type type) {
        pushes.labelValues(type.label()).inc();
    }

    long pushes(XdsResources.Type type) {
        return (long) pushes.labelValues(type.label()).get();
    }

    void built(long nanos) {
        pushDuration.observe(nanos / 1e9);
    }
}
