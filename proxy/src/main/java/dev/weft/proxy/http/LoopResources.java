package dev.weft.proxy.http;

import dev.weft.proxy.cluster.LoopClusters;
import dev.weft.proxy.telemetry.LoopMetrics;

/** What one event loop owns for the request path: its clusters (balancers, pools) and metric recorders. */
public record LoopResources(LoopClusters clusters, LoopMetrics metrics) {
}
