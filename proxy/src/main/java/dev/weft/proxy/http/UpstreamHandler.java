package dev.weft.proxy.http;

import dev.weft.proxy.cluster.UpstreamConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection (HTTP/1.1) or stream (HTTP/2): hands what the upstream
 * says to the downstream exchange that currently owns it, on the same event loop. Owned by nobody
 * while pooled.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);
    DownstreamHandler owner;
    UpstreamConnection connection;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (owner != null) {
            owner.onUpstreamRead(connection, msg); // HTTP objects, or a tunnel's bytes
        } else {
            // bytes on an idle pooled connection: the upstream is out of step, drop the connection
            // (on an HTTP/2 stream: a frame after the exchange ended, e.g. a reset; the stream goes)
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.flushDownstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.updateRead();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.onUpstreamFailed(connection, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Error) {
            log.warn("upstream connection {} closed on {}", ctx.channel().remoteAddress(), cause.toString());
        }
        if (owner != null) {
            owner.onUpstreamFailed(connection, cause);
        }
        ctx.close();
    }
}
