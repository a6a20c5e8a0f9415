package dev.weft.proxy.cluster;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connections to one endpoint from one event loop. Every method runs on that loop, so there are
 * no locks.
 *
 * <p>HTTP/1.1: a connection returns to the pool only after a clean exchange; the most recently used
 * one is handed out first, so surplus connections age out through the idle timeout.
 *
 * <p>HTTP/2: each exchange opens a stream on the first connection with a free stream slot; a new
 * connection is opened only when every one is full (or going away), so load spreads over as few
 * connections as the stream cap allows.
 */
public final class ConnectionPool {
    /** Streams one upstream HTTP/2 connection carries at most, before the peer's own limit. */
    public static final int MAX_STREAMS_PER_CONNECTION = 100;

    private final InetSocketAddress address;
    /** Idle HTTP/1.1 connections, longest idle first (released at the end, handed out from the end). */
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    /**
     * The one timer that closes connections idle for the cluster's idle timeout: it fires when the
     * longest-idle one is due, then re-arms for the next. A timer per release would be an allocation
     * and a queue insertion on every exchange.
     */
    private ScheduledFuture<?> idleSweep;
    private final List<H2Connection> h2 = new ArrayList<>(2);
    UpstreamCluster cluster;
    private int open;
    private boolean retired;

    ConnectionPool(InetSocketAddress address) {
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** An idle, open HTTP/1.1 connection, or null when a new one must be made. */
    public UpstreamConnection acquire() {
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            c.idle = false;
            if (c.channel().isActive()) {
                return c;
            }
        }
        return null;
    }

    /** Starts a new HTTP/1.1 connection on this pool's event loop, with the cluster's connect timeout. */
    public UpstreamConnection connect() {
        ChannelFuture f = cluster.bootstrap().connect(address);
        UpstreamConnection c = new UpstreamConnection(this, f);
        countOpen(f);
        f.channel().closeFuture().addListener(ignored -> {
            if (c.idle) {
                c.idle = false;
                idle.remove(c);
            }
        });
        return c;
    }

    /**
     * A new HTTP/2 stream to this endpoint, on a pooled connection with room or on a new one. The
     * stream is usable once {@link UpstreamConnection#ready()} succeeds; it fails when the
     * connection cannot be made or the stream cannot be opened.
     */
    public UpstreamConnection openStream() {
        H2Connection conn = null;
        for (int i = 0, n = h2.size(); i < n; i++) {
            H2Connection candidate = h2.get(i);
            if (candidate.takesStream(MAX_STREAMS_PER_CONNECTION)) {
                conn = candidate;
                break;
            }
        }
        if (conn == null) {
            conn = connectH2();
        }
        conn.activeStreams++;
        if (conn.idleTimer != null) {
            conn.idleTimer.cancel(false);
            conn.idleTimer = null;
        }
        Promise<Void> opened = conn.channel().eventLoop().newPromise();
        UpstreamConnection stream = new UpstreamConnection(this, conn, opened);
        H2Connection parent = conn;
        if (conn.connectFuture().isDone()) {
            open(parent, stream, opened);
        } else {
            conn.connectFuture().addListener(f -> {
                if (f.isSuccess()) {
                    open(parent, stream, opened);
                } else {
                    opened.tryFailure(f.cause());
                }
            });
        }
        return stream;
    }

    private void open(H2Connection conn, UpstreamConnection stream, Promise<Void> opened) {
        if (stream.released) {
            opened.tryFailure(new IllegalStateException("exchange ended before its stream opened"));
            return;
        }
        if (!conn.connectFuture().isSuccess()) {
            opened.tryFailure(conn.connectFuture().cause());
            return;
        }
        Future<Http2StreamChannel> f = conn.streams().open();
        if (f.isDone()) {
            streamOpened(stream, opened, f);
        } else {
            f.addListener(ignored -> streamOpened(stream, opened, f));
        }
    }

    private static void streamOpened(UpstreamConnection stream, Promise<Void> opened, Future<Http2StreamChannel> f) {
        if (!f.isSuccess()) {
            opened.tryFailure(f.cause());
            return;
        }
        Http2StreamChannel ch = f.getNow();
        stream.channel(ch);
        if (stream.released) {
            ch.close(); // the exchange ended while the stream was opening
            opened.tryFailure(new IllegalStateException("exchange ended before its stream opened"));
            return;
        }
        opened.trySuccess(null);
    }

    private H2Connection connectH2() {
        ChannelFuture f = cluster.h2Bootstrap().connect(address);
        H2Connection conn = new H2Connection(f, cluster.initializers().http2Stream());
        h2.add(conn);
        countOpen(f);
        f.channel().closeFuture().addListener(ignored -> {
            h2.remove(conn);
            if (conn.idleTimer != null) {
                conn.idleTimer.cancel(false);
            }
        });
        return conn;
    }

    private void countOpen(ChannelFuture f) {
        open++;
        UpstreamCluster owner = cluster;
        owner.connectionsGauge().inc();
        f.channel().closeFuture().addListener(ignored -> {
            open--;
            owner.connectionsGauge().dec();
        });
    }

    /**
     * Ends an exchange on {@code c}. A stream is closed (reset if it has not ended); its connection
     * stays for the next stream. A reusable HTTP/1.1 connection goes back to the pool unless the
     * pool is retired or the connection has reached the cluster's max requests per connection.
     */
    public void release(UpstreamConnection c, boolean reusable) {
        if (c.isStream()) {
            releaseStream(c);
            return;
        }
        c.requests++;
        int max = cluster.config().maxRequestsPerConnection();
        if (!reusable || retired || !c.channel().isActive() || (max > 0 && c.requests >= max)) {
            c.channel().close();
            return;
        }
        c.idle = true;
        c.idleSinceNanos = System.nanoTime();
        idle.addLast(c);
        if (idleSweep == null) {
            armIdleSweep(c.channel().eventLoop());
        }
    }

    /** Schedules the sweep for when the longest-idle connection reaches the idle timeout. */
    private void armIdleSweep(EventLoop loop) {
        long timeout = cluster.config().idleTimeout().toNanos();
        UpstreamConnection oldest = idle.peekFirst();
        if (timeout > 0 && oldest != null) {
            long due = oldest.idleSinceNanos + timeout - System.nanoTime();
            idleSweep = loop.schedule(() -> sweepIdle(loop), Math.max(0, due), TimeUnit.NANOSECONDS);
        }
    }

    private void sweepIdle(EventLoop loop) {
        idleSweep = null;
        long timeout = cluster.config().idleTimeout().toNanos();
        long now = System.nanoTime();
        UpstreamConnection c;
        while ((c = idle.peekFirst()) != null && (timeout <= 0 || now - c.idleSinceNanos >= timeout)) {
            idle.pollFirst();
            c.idle = false;
            c.channel().close();
        }
        armIdleSweep(loop);
    }

    private void releaseStream(UpstreamConnection c) {
        if (c.released) {
            return;
        }
        c.released = true;
        if (c.channel() != null) {
            c.channel().close();
        }
        H2Connection conn = c.parent();
        conn.activeStreams--;
        if (conn.activeStreams > 0) {
            return;
        }
        if (retired) {
            conn.channel().close();
            return;
        }
        long idleMillis = cluster.config().idleTimeout().toMillis();
        if (idleMillis > 0 && conn.idleTimer == null) {
            conn.idleTimer = conn.channel().eventLoop().schedule(() -> {
                conn.idleTimer = null;
                if (conn.activeStreams == 0) {
                    conn.channel().close();
                }
            }, idleMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** The endpoint left the cluster: close idle connections now, busy ones when they are released. */
    void retire() {
        retired = true;
        if (idleSweep != null) {
            idleSweep.cancel(false);
            idleSweep = null;
        }
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            c.idle = false;
            c.channel().close();
        }
        for (H2Connection conn : new ArrayList<>(h2)) {
            if (conn.activeStreams == 0) {
                conn.channel().close();
            }
        }
    }

    public int openConnections() {
        return open;
    }

    /** Idle HTTP/1.1 connections plus HTTP/2 connections carrying no stream. */
    public int idleConnections() {
        int n = idle.size();
        for (H2Connection conn : h2) {
            if (conn.activeStreams == 0) {
                n++;
            }
        }
        return n;
    }

    /** Streams in flight on this endpoint's HTTP/2 connections. */
    public int activeStreams() {
        int n = 0;
        for (H2Connection conn : h2) {
            n += conn.activeStreams;
        }
        return n;
    }
}
