package dev.weft.proxy.http;

import dev.weft.proxy.cluster.UpstreamInitializers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the proxy pipelines: downstream (a listener's accepted connection, HTTP/1.1 or HTTP/2 with
 * prior knowledge) and upstream (HTTP/1.1 connections, HTTP/2 connections and their streams).
 */
public final class HttpProxyPipeline {
    private static final Logger log = LoggerFactory.getLogger(HttpProxyPipeline.class);
    static final int MAX_CHUNK_SIZE = 64 * 1024;
    /**
     * Whether plain HTTP/1.1 heads are forwarded as their bytes ({@link RawHead}); on unless the JVM
     * runs with {@code -Dweft.proxy.rawHeads=false}, which benchmarks use to measure the difference.
     */
    static final boolean RAW_HEADS = !"false".equals(System.getProperty("weft.proxy.rawHeads"));
    /** HTTP/2 flow-control window per stream, and (Netty sets it alike) per connection. */
    static final int H2_WINDOW = 1024 * 1024;
    /** Concurrent streams a downstream HTTP/2 client may open on one connection. */
    static final int H2_MAX_DOWNSTREAM_STREAMS = 1024;
    /** Upper bound on waiting for streams after GOAWAY; drain force-closes earlier at its own timeout. */
    static final long H2_GOAWAY_GRACE_MILLIS = 10 * 60 * 1000L;

    private static final ChannelHandler SERVER_STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(true, true);
    private static final ChannelHandler CLIENT_STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(false, true);

    private static final ChannelHandler UPSTREAM_HTTP1 = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
            HttpDecoderConfig cfg = new HttpDecoderConfig()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(64 * 1024)
                    .setMaxChunkSize(MAX_CHUNK_SIZE)
                    .setValidateHeaders(true)
                    .setAllowDuplicateContentLengths(false)
                    .setStrictLineParsing(true)
                    .setUseRfc9112TransferEncoding(true);
            ch.pipeline().addLast("codec", new Http1ClientCodec(cfg, RAW_HEADS))
                    .addLast("upstream", new UpstreamHandler());
        }
    };

    private static final ChannelHandler UPSTREAM_HTTP2 = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient()
                            .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(H2_WINDOW))
                            .validateHeaders(true)
                            .build())
                    .addLast("streams", new Http2MultiplexHandler(REFUSE_PUSHED_STREAMS))
                    .addLast("errors", CONNECTION_ERRORS);
        }
    };

    private static final ChannelHandler UPSTREAM_HTTP2_STREAM = new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast("codec", CLIENT_STREAM_CODEC).addLast("upstream", new UpstreamHandler());
        }
    };

    /** Push is disabled in our SETTINGS; a stream the server opens anyway is closed at once. */
    private static final ChannelHandler REFUSE_PUSHED_STREAMS = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    };

    /** The tail of an HTTP/2 connection: a connection error closes it (its streams fail with it). */
    private static final ChannelHandler CONNECTION_ERRORS = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // connection-level frames (SETTINGS, PING, GOAWAY) the codec has handled
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP/2 upstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    };

    private static final UpstreamInitializers UPSTREAM = new UpstreamInitializers(UPSTREAM_HTTP1, UPSTREAM_HTTP2, UPSTREAM_HTTP2_STREAM);

    private HttpProxyPipeline() {
    }

    /**
     * Appends the HTTP proxy handlers to an accepted connection's pipeline (after any TLS handler):
     * first the protocol sniffer, which then installs HTTP/1.1 or HTTP/2.
     */
    public static void configureDownstream(Channel ch, ProxyContext px) {
        HttpLimits limits = px.limits();
        ch.pipeline().addLast("sniffer", new ProtocolSniffer(
                ctx -> installHttp1(ctx, px), ctx -> installHttp2(ctx, px), limits.idleTimeout().toNanos()));
    }

    /** The request decoder of a downstream HTTP/1.1 connection (also what bench/jmh.sh measures). */
    static StrictRequestDecoder requestDecoder(HttpLimits limits) {
        return requestDecoder(limits, RAW_HEADS);
    }

    static StrictRequestDecoder requestDecoder(HttpLimits limits, boolean raw) {
        return new StrictRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true), limits.maxInitialLineLength(), limits.maxHeaderSize(), raw);
    }

    private static void installHttp1(ChannelHandlerContext at, ProxyContext px) {
        HttpLimits limits = px.limits();
        ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.headerReadTimeout().toNanos(), limits.idleTimeout().toNanos());
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        DownstreamHandler handler = new DownstreamHandler(px, timeouts, encoder);
        ChannelPipeline p = at.pipeline();
        String after = at.name();
        p.addAfter(after, "timeouts", timeouts);
        p.addAfter("timeouts", "decoder", requestDecoder(limits));
        p.addAfter("decoder", "encoder", encoder);
        p.addAfter("encoder", "proxy", handler);
    }

    private static void installHttp2(ChannelHandlerContext at, ProxyContext px) {
        HttpLimits limits = px.limits();
        ChannelHandler streams = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast("codec", SERVER_STREAM_CODEC).addLast("proxy", new DownstreamHandler(px, null, null));
            }
        };
        ChannelPipeline p = at.pipeline();
        p.addAfter(at.name(), "h2", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(H2_MAX_DOWNSTREAM_STREAMS)
                        .initialWindowSize(H2_WINDOW)
                        .maxHeaderListSize(limits.maxHeaderSize()))
                .validateHeaders(true)
                // after GOAWAY, streams in flight run on; the sidecar's drain timeout, not the codec, ends them
                // (Netty's builder defaults this to 0: close at once)
                .gracefulShutdownTimeoutMillis(H2_GOAWAY_GRACE_MILLIS)
                .build());
        p.addAfter("h2", "streams", new Http2MultiplexHandler(streams));
        p.addAfter("streams", "connection", new Http2DownstreamConnection(px));
    }

    /** How upstream connections and streams are set up; shared by every cluster and loop. */
    public static UpstreamInitializers upstreamInitializers() {
        return UPSTREAM;
    }
}
