package dev.weft.controlplane.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Answers length-framed queries in order, any number per connection. Reading pauses while the
 * client does not read its answers; an idle connection or an unreadable frame closes it.
 */
final class DnsTcpHandler extends ChannelInboundHandlerAdapter {
    private final DnsResponder responder;

    DnsTcpHandler(DnsResponder responder) {
        this.responder = responder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            ByteBuf response = responder.answer(frame, ctx.alloc(), false);
            if (response != null) {
                ctx.write(response, ctx.voidPromise());
            } else if (frame.readableBytes() < DnsWire.HEADER_LENGTH) {
                ctx.close();
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the peer, or a frame the decoder refused
    }
}
