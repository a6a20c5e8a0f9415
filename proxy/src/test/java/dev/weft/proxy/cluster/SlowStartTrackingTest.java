package dev.weft.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.lb.Backend;
import dev.weft.proxy.lb.LoadBalancers;
import dev.weft.proxy.telemetry.ProxyMetrics;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When each endpoint started serving survives cluster rebuilds, so slow start is not restarted by unrelated pushes. */
class SlowStartTrackingTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private long now = 1_000_000_000L;
    private final LoopClusters clusters = new LoopClusters(loop, NioSocketChannel.class, unused(),
            new ProxyMetrics(), new LoadBalancers.Context(new SplittableRandom(1), () -> now, ""));

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static Endpoint ep(int port, EndpointHealth health, int weight) {
        return new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), health, weight, "", false, "");
    }

    private long[] since(Endpoint... endpoints) {
        ClusterConfig c = new ClusterConfig("c", LbPolicy.ROUND_ROBIN, Duration.ofSeconds(1), Duration.ofSeconds(60), 0,
                Arrays.asList(endpoints), LbConfig.DEFAULTS.withSlowStartWindow(Duration.ofSeconds(30)));
        UpstreamCluster uc = clusters.cluster(new ProxyConfig("v", Map.of("c", c), null, null), "c");
        List<Long> out = new ArrayList<>();
        for (UpstreamHost h : uc.hosts()) {
            out.add(h.servingSinceNanos());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void servingSinceIsKeptAcrossRebuildsAndRestartsAfterUnhealthy() {
        long always = Backend.ALWAYS_SERVING;
        // endpoints of a cluster's first build are not throttled
        assertThat(since(ep(1, EndpointHealth.HEALTHY, 1), ep(2, EndpointHealth.HEALTHY, 1))).containsExactly(always, always);
        now += 5;
        long added = now;
        assertThat(since(ep(1, EndpointHealth.HEALTHY, 1), ep(2, EndpointHealth.HEALTHY, 1), ep(3, EndpointHealth.HEALTHY, 1)))
                .containsExactly(always, always, added);
        now += 5;
        // an unrelated change (a weight) rebuilds the cluster but keeps the clock of endpoint 3
        assertThat(since(ep(1, EndpointHealth.HEALTHY, 2), ep(2, EndpointHealth.HEALTHY, 1), ep(3, EndpointHealth.HEALTHY, 1)))
                .containsExactly(always, always, added);
        // an endpoint that stops serving and comes back starts again
        since(ep(1, EndpointHealth.UNHEALTHY, 2), ep(2, EndpointHealth.HEALTHY, 1), ep(3, EndpointHealth.HEALTHY, 1));
        now += 5;
        assertThat(since(ep(1, EndpointHealth.HEALTHY, 2), ep(2, EndpointHealth.HEALTHY, 1), ep(3, EndpointHealth.HEALTHY, 1)))
                .containsExactly(now, always, added);
    }

    /** The test never connects: any handler will do. */
    private static UpstreamInitializers unused() {
        ChannelInboundHandlerAdapter none = new ChannelInboundHandlerAdapter();
        return new UpstreamInitializers(none, none, none);
    }
}
