package dev.weft.proxy.cluster;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * What one exchange writes its request to: a pooled HTTP/1.1 connection, or one stream of a pooled
 * HTTP/2 connection. A stream's channel exists only once the stream is open ({@link #ready()}).
 */
public final class UpstreamConnection {
    private final ConnectionPool pool;
    private final Future<?> ready;
    private final H2Connection parent;
    private Channel channel;
    /** What the upstream handler on {@link #channel()} reports to (the exchange that owns this); null while pooled. */
    public Object owner;
    int requests;
    boolean idle;
    boolean released;
    /** When it last went idle in the pool (System.nanoTime). */
    long idleSinceNanos;

    /** An HTTP/1.1 connection; {@code connectFuture} completes when TCP is up. */
    UpstreamConnection(ConnectionPool pool, io.netty.channel.ChannelFuture connectFuture) {
        this.pool = pool;
        this.channel = connectFuture.channel();
        this.ready = connectFuture;
        this.parent = null;
    }

    /** An HTTP/2 stream on {@code parent}; {@code opened} completes once {@link #channel()} is set. */
    UpstreamConnection(ConnectionPool pool, H2Connection parent, Promise<Void> opened) {
        this.pool = pool;
        this.parent = parent;
        this.ready = opened;
    }

    /** The connection (HTTP/1.1) or stream (HTTP/2) channel; null for a stream not open yet. */
    public Channel channel() {
        return channel;
    }

    void channel(Channel streamChannel) {
        this.channel = streamChannel;
    }

    /** Completes when requests can be written: TCP up (HTTP/1.1) or the stream open (HTTP/2). */
    public Future<?> ready() {
        return ready;
    }

    public ConnectionPool pool() {
        return pool;
    }

    /** True for one stream of a multiplexed HTTP/2 connection. */
    public boolean isStream() {
        return parent != null;
    }

    H2Connection parent() {
        return parent;
    }

    /** Requests completed on this connection so far. */
    public int requests() {
        return requests;
    }
}
