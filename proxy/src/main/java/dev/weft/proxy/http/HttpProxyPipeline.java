package dev.weft.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/** Builds the HTTP/1.1 proxy pipelines: downstream (a listener's accepted connection) and upstream. */
public final class HttpProxyPipeline {
    static final int MAX_CHUNK_SIZE = 64 * 1024;
    private static final ChannelHandler UPSTREAM = new ChannelInitializer<Channel>() {
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
            ch.pipeline().addLast("codec", new HttpClientCodec(cfg, false, true))
                    .addLast("upstream", new UpstreamHandler());
        }
    };

    private HttpProxyPipeline() {
    }

    /** Appends the HTTP proxy handlers to an accepted connection's pipeline (after any TLS handler). */
    public static void configureDownstream(Channel ch, ProxyContext px) {
        HttpLimits limits = px.limits();
        HttpDecoderConfig cfg = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.headerReadTimeout().toNanos(), limits.idleTimeout().toNanos());
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        DownstreamHandler handler = new DownstreamHandler(px, timeouts, encoder);
        ChannelPipeline p = ch.pipeline();
        p.addLast("timeouts", timeouts)
                .addLast("decoder", new StrictRequestDecoder(cfg))
                .addLast("encoder", encoder)
                .addLast("proxy", handler);
    }

    /** The initializer of upstream connections; shared by every cluster and loop. */
    public static ChannelHandler upstreamInitializer() {
        return UPSTREAM;
    }
}
