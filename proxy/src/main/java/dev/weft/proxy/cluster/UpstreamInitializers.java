package dev.weft.proxy.cluster;

import io.netty.channel.ChannelHandler;
import java.util.Objects;

/**
 * How upstream channels are set up; the HTTP package supplies them, the pools use them.
 *
 * @param http1 initializer of an HTTP/1.1 connection
 * @param http2Connection initializer of an HTTP/2 (h2c) connection; its streams are opened per request
 * @param http2Stream initializer of one HTTP/2 stream channel on such a connection
 */
public record UpstreamInitializers(ChannelHandler http1, ChannelHandler http2Connection, ChannelHandler http2Stream) {
    public UpstreamInitializers {
        Objects.requireNonNull(http1, "http1");
        Objects.requireNonNull(http2Connection, "http2Connection");
        Objects.requireNonNull(http2Stream, "http2Stream");
    }
}
