package dev.weft.controlplane.telemetry;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import dev.weft.api.registry.HealthStatus;
import dev.weft.controlplane.registry.Catalog;
import dev.weft.controlplane.registry.InstanceEntry;
import dev.weft.controlplane.registry.ServiceEntry;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The control plane's own metrics: one {@link PrometheusRegistry} that the parts register on (the
 * xDS server, the registry gauges here), served as Prometheus text on {@code GET /metrics}.
 */
public final class ControlPlaneMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private ControlPlaneMetrics() {}

    /** A registry with the catalog gauges ({@code weft_registry_services}, {@code weft_registry_instances}). */
    public static ControlPlaneMetrics create(Catalog catalog) {
        ControlPlaneMetrics m = new ControlPlaneMetrics();
        GaugeWithCallback.builder()
                .name("weft_registry_services")
                .help("Services with at least one registered instance")
                .callback(cb -> cb.call(catalog.services().size()))
                .register(m.registry);
        GaugeWithCallback.builder()
                .name("weft_registry_instances")
                .help("Registered instances by aggregated health status (passing, warning, critical)")
                .labelNames("status")
                .callback(cb -> countByStatus(catalog).forEach((status, n) -> cb.call(n, status.wireName())))
                .register(m.registry);
        return m;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The text exposition of everything registered, as a scrape would see it. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Adds {@code GET /metrics} to the control plane's HTTP server (no token: it is read-only). */
    public Consumer<ServerBuilder> httpRoute() {
        MediaType type = MediaType.parse(PrometheusTextFormatWriter.CONTENT_TYPE);
        return sb -> sb.route().get("/metrics").build((ctx, req) -> HttpResponse.of(
                CompletableFuture.supplyAsync(() -> HttpResponse.of(ResponseHeaders.of(HttpStatus.OK,
                        com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE, type), HttpData.wrap(scrape())),
                        ctx.blockingTaskExecutor())));
    }

    private static Map<HealthStatus, Integer> countByStatus(Catalog catalog) {
        Map<HealthStatus, Integer> counts = new EnumMap<>(HealthStatus.class);
        for (HealthStatus s : HealthStatus.values()) {
            counts.put(s, 0);
        }
        for (ServiceEntry s : catalog.services()) {
            for (InstanceEntry e : s.instances()) {
                counts.merge(e.status(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
