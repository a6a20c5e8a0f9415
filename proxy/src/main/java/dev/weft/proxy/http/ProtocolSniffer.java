package dev.weft.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * First handler of an accepted connection: tells HTTP/2 with prior knowledge (the client opens with
 * the 24-byte connection preface) from HTTP/1.1, installs that protocol's handlers behind itself and
 * steps aside, handing over the bytes read so far. HTTP/1.1 is decided at the first byte that differs
 * from the preface, so an HTTP/1.1 request waits for no more than it sends. {@code channelActive} is
 * held back until the protocol handlers exist, so they see the connection start. A connection that
 * sends nothing is closed after the idle timeout.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
    static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;
    private final long idleTimeoutNanos;
    private LoopDeadlines.Deadline silence;

    /**
     * @param http1 adds the HTTP/1.1 handlers after the given context's handler
     * @param http2 adds the HTTP/2 handlers after the given context's handler
     */
    ProtocolSniffer(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2, long idleTimeoutNanos) {
        this.http1 = http1;
        this.http2 = http2;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // not propagated: the protocol handlers get it once they are installed
        if (idleTimeoutNanos > 0) {
            silence = new LoopDeadlines.Deadline(LoopDeadlines.of(ctx.executor())) {
                @Override
                void expired() {
                    ctx.close();
                }
            };
            silence.arm(idleTimeoutNanos);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), H2_PREFACE.length);
        int start = in.readerIndex();
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != H2_PREFACE[i]) {
                install(ctx, http1);
                return;
            }
        }
        if (n == H2_PREFACE.length) {
            install(ctx, http2);
        }
        // else: a prefix of the preface so far; wait for more
    }

    private void install(ChannelHandlerContext ctx, Consumer<ChannelHandlerContext> protocol) {
        disarm();
        protocol.accept(ctx);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this); // hands the buffered bytes to the protocol's first handler
    }

    private void disarm() {
        if (silence != null) {
            silence.disarm();
        }
    }
}
