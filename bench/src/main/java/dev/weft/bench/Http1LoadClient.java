package dev.weft.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/** One keep-alive HTTP/1.1 connection of a fixed-rate run: one request in flight at a time. */
final class Http1LoadClient extends SimpleChannelInboundHandler<HttpObject> implements RequestSchedule.Sender {
    final RequestSchedule schedule = new RequestSchedule(this);
    /** Completes when the connection can take requests. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final FullHttpRequest template;
    private ChannelHandlerContext ctx;
    private boolean busy;
    private long intended;
    private int status;

    Http1LoadClient(String path, String host) {
        template = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        template.headers().set(HttpHeaderNames.HOST, host);
    }

    ChannelHandler initializer() {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), Http1LoadClient.this);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
        if (context.channel().isActive()) {
            ready.complete(null);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        ready.complete(null);
        context.fireChannelActive();
    }

    @Override
    public boolean canSend() {
        return !busy && ctx.channel().isActive();
    }

    @Override
    public void send(long intendedNanos) {
        busy = true;
        intended = intendedNanos;
        status = 0;
        ctx.writeAndFlush(template.retainedDuplicate(), ctx.voidPromise()); // a failed write closes the channel
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            context.close(); // the exchange is failed in channelInactive
            return;
        }
        if (msg instanceof HttpResponse r) {
            status = r.status().code();
        }
        if (msg instanceof LastHttpContent && busy) {
            busy = false;
            schedule.answered(intended, status);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        ready.completeExceptionally(new ClosedChannelException());
        if (busy) {
            busy = false;
            schedule.failed(intended);
        }
        schedule.lost();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close();
    }
}
