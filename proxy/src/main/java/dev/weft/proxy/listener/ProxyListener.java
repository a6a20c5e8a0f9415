package dev.weft.proxy.listener;

import dev.weft.proxy.http.HttpProxyPipeline;
import dev.weft.proxy.http.ProxyContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/** A bound HTTP proxy listener (outbound or inbound): accept, then TLS step, then the HTTP proxy. */
public final class ProxyListener implements AutoCloseable {
    private final Channel server;

    private ProxyListener(Channel server) {
        this.server = server;
    }

    public static ProxyListener bind(InetSocketAddress address, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                     TransportSecurity security, ProxyContext px) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        security.configure(ch);
                        HttpProxyPipeline.configureDownstream(ch, px);
                    }
                });
        Channel ch = b.bind(address).sync().channel();
        return new ProxyListener(ch);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
