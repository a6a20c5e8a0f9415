package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits before the decoder and sees raw bytes. Between requests the idle timer runs; the first byte of
 * a request head starts the header-read timer, which the proxy handler stops when the head is
 * decoded. A client sending its head one byte a second is cut at the header-read timeout.
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private DownstreamHandler proxy;
    private boolean awaitingHead = true;
    private ScheduledFuture<?> headerTimer;
    private ScheduledFuture<?> idleTimer;

    ConnectionTimeouts(long headerTimeoutNanos, long idleTimeoutNanos) {
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    void attach(DownstreamHandler proxy) {
        this.proxy = proxy;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armIdle();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (awaitingHead && headerTimer == null && msg instanceof ByteBuf b && b.isReadable()) {
            cancelIdle();
            if (headerTimeoutNanos > 0) {
                headerTimer = ctx.executor().schedule(this::headerTimedOut, headerTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelHeader();
        cancelIdle();
        super.channelInactive(ctx);
    }

    /** A request head was decoded: no timer runs while the exchange is in progress. */
    void headersReceived() {
        awaitingHead = false;
        cancelHeader();
        cancelIdle();
    }

    /** The exchange finished and the connection stays open for the next request. */
    void exchangeDone() {
        awaitingHead = true;
        armIdle();
    }

    private void headerTimedOut() {
        headerTimer = null;
        if (awaitingHead && proxy != null) {
            proxy.onHeaderTimeout();
        }
    }

    private void armIdle() {
        cancelIdle();
        if (idleTimeoutNanos > 0 && ctx != null) {
            idleTimer = ctx.executor().schedule(() -> {
                idleTimer = null;
                if (awaitingHead && headerTimer == null) {
                    ctx.close();
                }
            }, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelHeader() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
