package dev.weft.proxy.cluster;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.util.concurrent.ScheduledFuture;

/**
 * One pooled HTTP/2 connection to an endpoint and the streams it carries. Confined to its event
 * loop like the pool. A connection takes new streams while it is up (or still connecting), has not
 * been told to go away, and carries fewer streams than the smaller of our cap and the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS.
 */
final class H2Connection {
    private final ChannelFuture connectFuture;
    private final Http2StreamChannelBootstrap streams;
    /** Streams open or about to be opened on this connection. */
    int activeStreams;
    /** Closes the connection when it has carried no stream for the cluster's idle timeout. */
    ScheduledFuture<?> idleTimer;

    H2Connection(ChannelFuture connectFuture, io.netty.channel.ChannelHandler streamInitializer) {
        this.connectFuture = connectFuture;
        this.streams = new Http2StreamChannelBootstrap(connectFuture.channel()).handler(streamInitializer);
    }

    Channel channel() {
        return connectFuture.channel();
    }

    ChannelFuture connectFuture() {
        return connectFuture;
    }

    Http2StreamChannelBootstrap streams() {
        return streams;
    }

    /** True when another stream may be opened here. */
    boolean takesStream(int cap) {
        Channel ch = connectFuture.channel();
        if (connectFuture.isDone()) {
            if (!connectFuture.isSuccess() || !ch.isActive()) {
                return false;
            }
            Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().goAwayReceived() || codec.connection().goAwaySent()) {
                return false;
            }
            cap = Math.min(cap, codec.connection().local().maxActiveStreams());
        } else if (!ch.isOpen()) {
            return false;
        }
        return activeStreams < cap;
    }
}
