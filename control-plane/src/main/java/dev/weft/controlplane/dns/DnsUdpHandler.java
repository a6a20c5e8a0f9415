package dev.weft.controlplane.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each datagram in the event loop and flushes once per read batch, so that the epoll
 * transport can send the replies with one sendmmsg. While the socket cannot take more, replies
 * are dropped as the network would drop them, instead of queueing without bound.
 */
final class DnsUdpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DnsUdpHandler.class);
    private final DnsResponder responder;

    DnsUdpHandler(DnsResponder responder) {
        this.responder = responder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf response = responder.answer(packet.content(), ctx.alloc(), true);
            if (response != null) {
                if (ctx.channel().isWritable()) {
                    ctx.write(new DatagramPacket(response, packet.sender()), ctx.voidPromise());
                } else {
                    response.release();
                }
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send (for example ICMP port unreachable) concerns one client; the socket stays.
        log.debug("dns udp: {}", cause.toString());
    }
}
