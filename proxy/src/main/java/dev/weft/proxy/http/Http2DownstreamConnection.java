package dev.weft.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level end of an accepted HTTP/2 connection (after the frame codec and the stream
 * multiplexer): counts it, registers it for drain and takes what is left of connection errors. Each
 * stream is a child channel with its own {@link DownstreamHandler}.
 */
final class Http2DownstreamConnection extends ChannelInboundHandlerAdapter implements DownstreamConnection {
    private static final Logger log = LoggerFactory.getLogger(Http2DownstreamConnection.class);
    private final ProxyContext px;
    private ChannelHandlerContext ctx;
    private LoopConnections connections;
    private boolean counted;

    Http2DownstreamConnection(ProxyContext px) {
        this.px = px;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connections = px.connections(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        px.activeConnections().inc();
        counted = true;
        if (!connections.add(this)) {
            ctx.close(); // accepted just before the listener closed: GOAWAY, no streams yet
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) {
            counted = false;
            px.activeConnections().dec();
        }
        connections.remove(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP/2 downstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** GOAWAY now; the codec closes the connection once the streams in flight have ended. */
    @Override
    public boolean drain() {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        boolean idle = codec == null || codec.connection().numActiveStreams() == 0;
        ctx.channel().close();
        return idle;
    }

    @Override
    public void forceClose() {
        ctx.channel().unsafe().close(ctx.channel().voidPromise()); // past the codec's graceful wait
    }
}
