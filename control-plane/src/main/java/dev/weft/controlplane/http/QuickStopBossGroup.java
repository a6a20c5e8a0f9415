package dev.weft.controlplane.http;

import com.linecorp.armeria.common.util.TransportType;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The acceptor event loop Armeria creates per port, except that stopping it does not wait
 * Netty's default 2 s quiet period (Armeria calls the no-argument {@code shutdownGracefully()}),
 * so that a stop, and every test, is not 2 s longer than needed.
 */
final class QuickStopBossGroup extends MultiThreadIoEventLoopGroup {
    private QuickStopBossGroup(String threadName, IoHandlerFactory io) {
        super(1, new DefaultThreadFactory(threadName, true), io);
    }

    @Override
    public Future<?> shutdownGracefully() {
        return shutdownGracefully(0, 500, TimeUnit.MILLISECONDS);
    }

    /** A factory matching Armeria's transport (the boss must use the workers' transport), if it is one we know. */
    static Optional<Function<String, EventLoopGroup>> factory() {
        TransportType t = com.linecorp.armeria.common.Flags.transportType();
        IoHandlerFactory io;
        if (t == TransportType.EPOLL) {
            io = EpollIoHandler.newFactory();
        } else if (t == TransportType.NIO) {
            io = NioIoHandler.newFactory();
        } else {
            return Optional.empty();
        }
        return Optional.of(name -> new QuickStopBossGroup(name, io));
    }
}
