package dev.weft.controlplane.dns;

import dev.weft.controlplane.registry.Catalog;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's authoritative DNS server for {@code <domain>}: UDP and TCP on one port,
 * answered from the {@link Catalog}. See docs/dns.md for the names and records it serves.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    /** Queries are small; a longer datagram is cut here and then fails to parse. */
    private static final int MAX_QUERY_DATAGRAM = 2048;
    /** Datagrams read per recvmmsg call. */
    private static final int DATAGRAMS_PER_READ = 32;
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final int EPHEMERAL_BIND_ATTEMPTS = 5;

    private final EventLoopGroup group;
    private final Channel udp;
    private final Channel tcp;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DnsServer(EventLoopGroup group, Channel udp, Channel tcp) {
        this.group = group;
        this.udp = udp;
        this.tcp = tcp;
        this.port = ((InetSocketAddress) tcp.localAddress()).getPort();
    }

    /**
     * Binds UDP and TCP on {@code config.port()} (for port 0, a free port both can have) and starts
     * answering.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static DnsServer start(DnsConfig config, Catalog catalog) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory ioHandler = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                config.ioThreads(), new DefaultThreadFactory("weft-dns", true), ioHandler);
        try {
            DnsResponder responder = new DnsResponder(config, catalog);
            Bootstrap udp = udpBootstrap(group, epoll, responder);
            ServerBootstrap tcp = tcpBootstrap(group, epoll, responder, config);
            DnsServer server = bind(config, udp, tcp, group);
            log.info("dns listening on udp and tcp {}:{} for zone {}. ({}, {} io thread(s), ttl {}s)",
                    config.bindAddress().getHostAddress(), server.port, config.domain(),
                    epoll ? "epoll" : "nio", config.ioThreads(), config.ttl().getSeconds());
            return server;
        } catch (RuntimeException | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static DnsServer bind(DnsConfig config, Bootstrap udp, ServerBootstrap tcp, EventLoopGroup group) {
        int attempts = config.port() == 0 ? EPHEMERAL_BIND_ATTEMPTS : 1;
        Throwable last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            ChannelFuture tcpBound = tcp.bind(config.bindAddress(), config.port()).awaitUninterruptibly();
            if (!tcpBound.isSuccess()) {
                throw bindFailure("tcp", config, config.port(), tcpBound.cause());
            }
            int port = ((InetSocketAddress) tcpBound.channel().localAddress()).getPort();
            ChannelFuture udpBound = udp.bind(config.bindAddress(), port).awaitUninterruptibly();
            if (udpBound.isSuccess()) {
                return new DnsServer(group, udpBound.channel(), tcpBound.channel());
            }
            // Port 0: TCP's free port may be taken for UDP; try another.
            tcpBound.channel().close().awaitUninterruptibly();
            last = bindFailure("udp", config, port, udpBound.cause());
        }
        throw (UncheckedIOException) last;
    }

    private static UncheckedIOException bindFailure(String protocol, DnsConfig config, int port, Throwable cause) {
        IOException io = cause instanceof IOException ? (IOException) cause : new IOException(cause);
        return new UncheckedIOException("dns: cannot bind " + protocol + " "
                + config.bindAddress().getHostAddress() + ":" + port + ": " + cause.getMessage(), io);
    }

    private static Bootstrap udpBootstrap(EventLoopGroup group, boolean epoll, DnsResponder responder) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(new DnsUdpHandler(responder));
        if (epoll) {
            // recvmmsg: one system call reads a batch of queries.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(MAX_QUERY_DATAGRAM * DATAGRAMS_PER_READ));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY_DATAGRAM));
        }
        return b;
    }

    private static ServerBootstrap tcpBootstrap(
            EventLoopGroup group, boolean epoll, DnsResponder responder, DnsConfig config) {
        AtomicInteger open = new AtomicInteger();
        long idleMillis = config.tcpIdleTimeout().toMillis();
        return new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 128 << 10))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > config.maxTcpConnections()) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast(new LengthFieldBasedFrameDecoder(DnsWire.MAX_MESSAGE_LENGTH + 2, 0, 2, 0, 2))
                                .addLast(new DnsTcpHandler(responder));
                    }
                });
    }

    /** The UDP and TCP port. */
    public int port() {
        return port;
    }

    /** Stops listening, closes open TCP connections and stops the event loop threads. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            udp.close().awaitUninterruptibly();
            tcp.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
