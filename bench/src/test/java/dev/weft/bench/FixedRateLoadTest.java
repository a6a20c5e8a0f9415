package dev.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.bench.FixedRateLoad.Protocol;
import dev.weft.bench.FixedRateLoad.Result;
import dev.weft.bench.FixedRateLoad.Spec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the generator as bench/latency.sh does, against in-process HTTP/1.1 and h2c servers that
 * answer by path: {@code /} 200 with 1 KiB, {@code /slow} the same 50 ms later, {@code /503}, and
 * (h2) {@code /reset} a RST_STREAM.
 */
class FixedRateLoadTest {
    private static final byte[] BODY = new byte[1024];
    private static EventLoopGroup group;
    private static int h1Port;
    private static int h2Port;
    private static final Set<String> authorities = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger h2InFlight = new AtomicInteger();
    private static final AtomicInteger h2MaxInFlight = new AtomicInteger();

    @BeforeAll
    static void startServers() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        h1Port = listen(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), new Http1Server());
            }
        });
        h2Port = listen(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new H2Server());
            }
        });
    }

    private static int listen(ChannelInitializer<Channel> init) throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(init)
                .bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @AfterAll
    static void stopServers() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static Result run(Protocol protocol, int port, String path, String authority, int connections) throws Exception {
        return FixedRateLoad.run(new Spec(protocol, URI.create("http://127.0.0.1:" + port + path), authority, 200, 1, 1, connections));
    }

    @Test
    void h2SendsTheRateWithTheGivenAuthority() throws Exception {
        Result r = run(Protocol.H2, h2Port, "/", "backend", 4);

        assertThat(r.requests()).isEqualTo(200); // 4 connections x 50 intended send times in 1 s
        assertThat(r.errors()).isZero();
        assertThat(r.h().getTotalCount()).isEqualTo(200);
        assertThat(r.achieved()).isBetween(150.0, 250.0);
        assertThat(authorities).contains("h2 backend");
    }

    @Test
    void h2KeepsSeveralStreamsInFlightOnAConnection() throws Exception {
        h2MaxInFlight.set(0);
        Result r = run(Protocol.H2, h2Port, "/slow", "x", 2); // 100 rps per connection, each answered after 50 ms

        assertThat(r.errors()).isZero();
        assertThat(h2MaxInFlight.get()).isGreaterThanOrEqualTo(4);
        // one at a time it would take 200 x 50 ms / 2 connections = 5 s, and latency would pile up
        assertThat(r.h().getValueAtPercentile(50) / 1e6).isBetween(49.0, 150.0);
    }

    @Test
    void h2CountsNon2xxAndResetsAsErrors() throws Exception {
        Result non2xx = run(Protocol.H2, h2Port, "/503", "x", 2);
        Result reset = run(Protocol.H2, h2Port, "/reset", "x", 2);

        assertThat(non2xx.non2xx()).isEqualTo(200);
        assertThat(non2xx.failed()).isZero();
        assertThat(reset.failed()).isEqualTo(200);
        assertThat(reset.non2xx()).isZero();
        assertThat(reset.h().getTotalCount()).isZero(); // no response, no latency
    }

    @Test
    void http1SendsTheRateWithTheGivenHostHeader() throws Exception {
        Result r = run(Protocol.HTTP1, h1Port, "/", "plain", 4);

        assertThat(r.requests()).isEqualTo(200);
        assertThat(r.errors()).isZero();
        assertThat(authorities).contains("http1 plain");
    }

    @Test
    void bothProtocolsPrintTheSameLine() throws Exception {
        String shape = "(http1|h2) target 200 rps for 1 s: sent \\d+, errors \\d+ \\(non-2xx \\d+, reset \\d+\\), achieved [0-9.]+ rps"
                + " \\| latency ms p50 [0-9.]+ p90 [0-9.]+ p99 [0-9.]+ p99.9 [0-9.]+ max [0-9.]+";
        assertThat(run(Protocol.HTTP1, h1Port, "/503", "x", 1).format()).matches(shape).startsWith("http1 ");
        assertThat(run(Protocol.H2, h2Port, "/503", "x", 1).format()).matches(shape).startsWith("h2 ");
    }

    @Test
    void parsesTheCommandLine() {
        Spec plain = Spec.parse("http://127.0.0.1:8080/a?b=1", "1000", "5", "16");
        assertThat(plain.protocol()).isEqualTo(Protocol.HTTP1);
        assertThat(plain.authority()).isEqualTo("127.0.0.1:8080");
        assertThat(plain.path()).isEqualTo("/a?b=1");
        assertThat(plain.warmupSeconds()).isEqualTo(2);

        Spec h2 = Spec.parse("http://127.0.0.1:8080", "500", "3", "4", "1", "backend", "--protocol", "h2");
        assertThat(h2.protocol()).isEqualTo(Protocol.H2);
        assertThat(h2.authority()).isEqualTo("backend");
        assertThat(h2.path()).isEqualTo("/");
        assertThat(Spec.parse("--protocol=http1", "http://h:1/", "1", "1", "1").protocol()).isEqualTo(Protocol.HTTP1);

        assertThatThrownBy(() -> Spec.parse("--protocol", "h3", "http://h:1/", "1", "1", "1"))
                .hasMessage("--protocol must be http1 or h2, got 'h3'");
        assertThatThrownBy(() -> Spec.parse("https://h:1/", "1", "1", "1")).hasMessageContaining("URL must be http://HOST:PORT/PATH");
        assertThatThrownBy(() -> Spec.parse("http://h:1/", "fast", "1", "1")).hasMessage("RATE must be a number, got 'fast'");
        assertThatThrownBy(() -> Spec.parse("http://h:1/", "1", "1", "0")).hasMessage("CONNECTIONS must be above zero, got '0'");
        assertThatThrownBy(() -> Spec.parse("http://h:1/", "1", "1")).hasMessage("expected 4 to 6 arguments, got 3");
    }

    private static final class Http1Server extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            FullHttpRequest req = (FullHttpRequest) msg;
            authorities.add("http1 " + req.headers().get(HttpHeaderNames.HOST));
            HttpResponseStatus status = req.uri().equals("/503") ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
            req.release();
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(BODY));
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
            ctx.writeAndFlush(res);
        }
    }

    private static final class H2Server extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Http2HeadersFrame req)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            authorities.add("h2 " + req.headers().authority());
            String path = req.headers().path().toString();
            h2MaxInFlight.accumulateAndGet(h2InFlight.incrementAndGet(), Math::max);
            switch (path) {
                case "/reset" -> reply(ctx, new DefaultHttp2ResetFrame(Http2Error.CANCEL), req);
                case "/503" -> answer(ctx, req, "503");
                case "/slow" -> ctx.executor().schedule(() -> answer(ctx, req, "200"), 50, TimeUnit.MILLISECONDS);
                default -> answer(ctx, req, "200");
            }
        }

        private static void answer(ChannelHandlerContext ctx, Http2HeadersFrame req, String status) {
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(status)).stream(req.stream()));
            reply(ctx, new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY), true), req);
        }

        private static void reply(ChannelHandlerContext ctx, Http2StreamFrame frame, Http2HeadersFrame req) {
            h2InFlight.decrementAndGet();
            ctx.writeAndFlush(frame.stream(req.stream()));
        }
    }
}
