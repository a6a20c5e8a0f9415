package dev.weft.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.weft.proxy.cluster.LoopClusters.EndpointLoad;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.telemetry.ProxyMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The sidecar's admin listener: /ready, /metrics (Prometheus text), /config_dump and /clusters.
 * Small GET requests only, so it aggregates them; it never runs on the proxy's event loops.
 */
public final class AdminServer implements AutoCloseable {
    private final Channel server;

    /**
     * @param notReadyReason null when ready, else why not (the /ready 503 body)
     * @param loads every event loop's per-endpoint load, gathered on the loops themselves
     */
    public AdminServer(InetSocketAddress address, EventLoopGroup group, Class<? extends ServerChannel> channel, ProxyMetrics metrics,
                       Supplier<ProxyConfig> config, Supplier<String> notReadyReason,
                       Supplier<CompletableFuture<List<EndpointLoad>>> loads) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(channel)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new Handler(metrics, config, notReadyReason, loads));
                    }
                });
        this.server = b.bind(address).sync().channel();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    /**
     * Jackson is loaded on the first JSON request, not at start: it is about 430 classes, and most
     * sidecars never serve /config_dump (docs/performance.md).
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ProxyMetrics metrics;
        private final Supplier<ProxyConfig> config;
        private final Supplier<String> notReadyReason;
        private final Supplier<CompletableFuture<List<EndpointLoad>>> loads;

        Handler(ProxyMetrics metrics, Supplier<ProxyConfig> config, Supplier<String> notReadyReason,
                Supplier<CompletableFuture<List<EndpointLoad>>> loads) {
            this.metrics = metrics;
            this.config = config;
            this.notReadyReason = notReadyReason;
            this.loads = loads;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, false, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", text(ctx, "bad request\n"));
                return;
            }
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", text(ctx, "only GET\n"));
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            switch (path) {
                case "/ready" -> {
                    String why = notReadyReason.get();
                    if (why == null) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; charset=utf-8", text(ctx, "ready\n"));
                    } else {
                        send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", text(ctx, "not ready: " + why + "\n"));
                    }
                }
                case "/metrics" -> {
                    ByteBuf buf = ctx.alloc().buffer(16 * 1024);
                    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                        metrics.write(out);
                    }
                    send(ctx, keepAlive, HttpResponseStatus.OK, metrics.contentType(), buf);
                }
                case "/config_dump" -> send(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                        text(ctx, Json.MAPPER.writeValueAsString(ConfigJson.configDump(Json.MAPPER, config.get())) + "\n"));
                case "/clusters" -> {
                    ProxyConfig cfg = config.get();
                    loads.get().whenComplete((list, err) -> ctx.executor().execute(() -> {
                        try {
                            String body = err != null ? null : Json.MAPPER.writeValueAsString(ConfigJson.clusters(Json.MAPPER, cfg, list)) + "\n";
                            if (body == null) {
                                send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", text(ctx, err + "\n"));
                            } else {
                                send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", text(ctx, body));
                            }
                        } catch (IOException e) {
                            ctx.close();
                        }
                    }));
                }
                default -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        text(ctx, "not found; try /ready, /metrics, /config_dump, /clusters\n"));
            }
        }

        private static ByteBuf text(ChannelHandlerContext ctx, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return ctx.alloc().buffer(b.length).writeBytes(b);
        }

        private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, ByteBuf body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r);
            }
        }
    }
}
