package dev.weft.proxy.cluster;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.concurrent.ScheduledFuture;

/** One pooled upstream connection: its channel, how many requests it has carried, its idle timer. */
public final class UpstreamConnection {
    private final ConnectionPool pool;
    private final Channel channel;
    private final ChannelFuture connectFuture;
    int requests;
    boolean idle;
    ScheduledFuture<?> idleTimer;

    UpstreamConnection(ConnectionPool pool, ChannelFuture connectFuture) {
        this.pool = pool;
        this.channel = connectFuture.channel();
        this.connectFuture = connectFuture;
    }

    public Channel channel() {
        return channel;
    }

    /** Completes when the TCP connection is up (already done for a reused connection). */
    public ChannelFuture connectFuture() {
        return connectFuture;
    }

    public ConnectionPool pool() {
        return pool;
    }

    /** Requests completed on this connection so far. */
    public int requests() {
        return requests;
    }
}
