package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

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
    private boolean headerStarted;
    private LoopDeadlines.Deadline deadline;

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
        // One deadline per connection serves both timers: idle between requests, header read within one.
        deadline = new LoopDeadlines.Deadline(LoopDeadlines.of(ctx.executor())) {
            @Override
            void expired() {
                timedOut();
            }
        };
        armIdle();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (awaitingHead && !headerStarted && msg instanceof ByteBuf b && b.isReadable()) {
            headerStarted = true;
            if (headerTimeoutNanos > 0) {
                deadline.arm(headerTimeoutNanos);
            } else {
                deadline.disarm();
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.disarm();
        }
        super.channelInactive(ctx);
    }

    /** A request head was decoded: no timer runs while the exchange is in progress. */
    void headersReceived() {
        awaitingHead = false;
        headerStarted = false;
        if (deadline != null) {
            deadline.disarm();
        }
    }

    /** The exchange finished and the connection stays open for the next request. */
    void exchangeDone() {
        awaitingHead = true;
        headerStarted = false;
        armIdle();
    }

    private void timedOut() {
        if (!awaitingHead) {
            return;
        }
        if (headerStarted) {
            if (proxy != null) {
                proxy.onHeaderTimeout();
            }
        } else {
            ctx.close();
        }
    }

    private void armIdle() {
        if (deadline == null) {
            return;
        }
        if (idleTimeoutNanos > 0) {
            deadline.arm(idleTimeoutNanos);
        } else {
            deadline.disarm();
        }
    }
}
