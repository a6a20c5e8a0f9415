package dev.weft.proxy.cluster;

import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Connections to one endpoint from one event loop. Every method runs on that loop, so there are
 * no locks. A connection returns to the pool only after a clean exchange; the most recently used
 * one is handed out first, so surplus connections age out through the idle timeout.
 */
public final class ConnectionPool {
    private final InetSocketAddress address;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    UpstreamCluster cluster;
    private int open;
    private boolean retired;

    ConnectionPool(InetSocketAddress address) {
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** An idle, open connection, or null when a new one must be made. */
    public UpstreamConnection acquire() {
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            c.idle = false;
            if (c.idleTimer != null) {
                c.idleTimer.cancel(false);
                c.idleTimer = null;
            }
            if (c.channel().isActive()) {
                return c;
            }
        }
        return null;
    }

    /** Starts a new connection on this pool's event loop, with the cluster's connect timeout. */
    public UpstreamConnection connect() {
        ChannelFuture f = cluster.bootstrap().connect(address);
        UpstreamConnection c = new UpstreamConnection(this, f);
        open++;
        UpstreamCluster owner = cluster;
        owner.connectionsGauge().inc();
        f.channel().closeFuture().addListener(ignored -> {
            open--;
            owner.connectionsGauge().dec();
            if (c.idle) {
                c.idle = false;
                idle.remove(c);
                if (c.idleTimer != null) {
                    c.idleTimer.cancel(false);
                }
            }
        });
        return c;
    }

    /**
     * Ends an exchange on {@code c}. A reusable connection goes back to the pool unless the pool is
     * retired or the connection has reached the cluster's max requests per connection.
     */
    public void release(UpstreamConnection c, boolean reusable) {
        c.requests++;
        int max = cluster.config().maxRequestsPerConnection();
        if (!reusable || retired || !c.channel().isActive() || (max > 0 && c.requests >= max)) {
            c.channel().close();
            return;
        }
        c.idle = true;
        idle.addLast(c);
        long idleMillis = cluster.config().idleTimeout().toMillis();
        if (idleMillis > 0) {
            c.idleTimer = c.channel().eventLoop().schedule(() -> {
                if (c.idle) {
                    c.channel().close();
                }
            }, idleMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** The endpoint left the cluster: close idle connections now, busy ones when they are released. */
    void retire() {
        retired = true;
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            c.idle = false;
            c.channel().close();
        }
    }

    public int openConnections() {
        return open;
    }

    public int idleConnections() {
        return idle.size();
    }
}
