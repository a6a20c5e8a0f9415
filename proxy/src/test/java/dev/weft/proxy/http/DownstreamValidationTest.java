package dev.weft.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.cluster.LoopClusters;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.RouteTable;
import dev.weft.proxy.telemetry.Direction;
import dev.weft.proxy.telemetry.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The downstream pipeline on an EmbeddedChannel: validation, error responses, pipelining, header timeout on a frozen clock. */
class DownstreamValidationTest {
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final AtomicReference<ProxyConfig> config = new AtomicReference<>(ProxyConfig.EMPTY);

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                EventLoop loop = ch.eventLoop();
                LoopClusters clusters = new LoopClusters(loop, NioSocketChannel.class, HttpProxyPipeline.upstreamInitializers(), metrics,
                        new SplittableRandom(1));
                ProxyContext px = new ProxyContext(Direction.OUTBOUND, config::get, Map.of(loop, new LoopResources(clusters, metrics.forLoop())),
                        new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), 8192, 4096), metrics.activeConnections("outbound"));
                HttpProxyPipeline.configureDownstream(ch, px);
            }
        });
    }

    private static String outbound(EmbeddedChannel ch) {
        return EmbeddedChannels.outbound(ch);
    }

    private static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndClose() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        String out = outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("x-weft-error: bad_request\r\n").contains("connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void foldedHeaderSplitAcrossReadsIs400() {
        EmbeddedChannel ch = channel();
        write(ch, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n");
        assertThat(outbound(ch)).isEmpty();
        write(ch, " c\r\n\r\n");
        assertThat(outbound(ch)).startsWith("HTTP/1.1 400").contains("obsolete line folding");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void pipelinedRequestsWithoutConfigGetTwo503sOnAnOpenConnection() {
        EmbeddedChannel ch = channel();
        write(ch, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        String out = outbound(ch);
        assertThat(out.split("HTTP/1.1 503 Service Unavailable", -1)).hasSize(3);
        assertThat(out).contains("x-weft-error: no_config").doesNotContain("connection: close");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void unknownServiceIs503AndHeadGetsNoBody() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        config.set(new ProxyConfig("1", Map.of(), new ListenerSpec("out", any, new RouteTable("out", List.of())), null));
        EmbeddedChannel ch = channel();
        write(ch, "GET http://catalog/x HTTP/1.1\r\nHost: catalog\r\n\r\n");
        assertThat(outbound(ch)).contains("x-weft-error: unknown_service").endsWith("unknown_service: no service \"catalog\" in the mesh\n");
        write(ch, "HEAD /x HTTP/1.1\r\nHost: catalog\r\n\r\n");
        String head = outbound(ch);
        assertThat(head).startsWith("HTTP/1.1 503").contains("content-length: ").endsWith("\r\n\r\n");
    }

    @Test
    void headerReadTimeoutAnswers408OnAFrozenClock() {
        EmbeddedChannel ch = channel();
        ch.freezeTime();
        write(ch, "GET / HTTP/1.1\r\nHo");
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(outbound(ch)).isEmpty();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(outbound(ch)).startsWith("HTTP/1.1 408").contains("x-weft-error: header_timeout");
        assertThat(ch.isOpen()).isFalse();
    }
}
