package dev.weft.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level end of an accepted HTTP/2 connection (after the frame codec and the stream
 * multiplexer): counts it, registers it for drain, closes it (GOAWAY) once it has carried no stream
 * for the listener's idle timeout, and takes what is left of connection errors. Each stream is a
 * child channel with its own {@link DownstreamHandler}.
 */
final class Http2DownstreamConnection extends ChannelInboundHandlerAdapter implements DownstreamConnection {
    private static final Logger log = LoggerFactory.getLogger(Http2DownstreamConnection.class);
    private final ProxyContext px;
    private ChannelHandlerContext ctx;
    private LoopConnections connections;
    private final long idleTimeoutNanos;
    private boolean counted;
    private long lastStreamNanos;
    private LoopDeadlines.Deadline idle;

    Http2DownstreamConnection(ProxyContext px) {
        this.px = px;
        this.idleTimeoutNanos = px.limits().idleTimeout().toNanos();
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
        if (idleTimeoutNanos > 0) {
            lastStreamNanos = System.nanoTime();
            idle = new LoopDeadlines.Deadline(LoopDeadlines.of(ctx.executor())) {
                @Override
                void expired() {
                    checkIdle();
                }
            };
            idle.arm(idleTimeoutNanos);
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
        if (idle != null) {
            idle.disarm();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP/2 downstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** A stream started on this connection (called by its handler, on this loop). */
    void streamStarted() {
        lastStreamNanos = System.nanoTime();
    }

    private void checkIdle() {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        long quiet = System.nanoTime() - lastStreamNanos;
        if (codec != null && codec.connection().numActiveStreams() == 0 && quiet >= idleTimeoutNanos) {
            ctx.channel().close(); // GOAWAY; nothing is in flight
        } else {
            idle.arm(Math.max(idleTimeoutNanos - quiet, idleTimeoutNanos / 4));
        }
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
