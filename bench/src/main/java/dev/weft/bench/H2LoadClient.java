package dev.weft.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/2 connection of a fixed-rate run, cleartext with prior knowledge (h2c): each request is
 * a GET on its own stream, as many in flight as the peer's SETTINGS_MAX_CONCURRENT_STREAMS allows.
 * Built on {@link Http2ConnectionHandler} with a frame listener rather than a child channel per
 * stream, so a request costs a stream and one small record, not a pipeline.
 */
final class H2LoadClient extends Http2EventAdapter implements RequestSchedule.Sender {
    /** The request on one stream: when it was meant to go out, and the final status once seen. */
    private static final class Exchange {
        final long intended;
        int status;
        boolean complete;

        Exchange(long intended) {
            this.intended = intended;
        }
    }

    final RequestSchedule schedule = new RequestSchedule(this);
    /** Completes on the peer's first SETTINGS frame: it is an h2c listener and its limits are known. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Http2Headers request;
    private final Http2Connection connection = new DefaultHttp2Connection(false);
    private final Http2Connection.PropertyKey exchangeKey = connection.newKey();
    private final Http2ConnectionHandler handler;
    private ChannelHandlerContext ctx;

    H2LoadClient(String path, String authority) {
        request = new DefaultHttp2Headers().method(AsciiString.of("GET")).scheme(AsciiString.of("http"))
                .path(AsciiString.of(path)).authority(AsciiString.of(authority));
        connection.addListener(this);
        handler = new Http2ConnectionHandlerBuilder().connection(connection).frameListener(this)
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                // resets are what this tool counts, not a reason to give up on the connection
                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                .build();
    }

    ChannelHandler initializer() {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(handler);
                ctx = ch.pipeline().context(handler);
                ch.closeFuture().addListener(f -> {
                    ready.completeExceptionally(new ClosedChannelException());
                    schedule.lost();
                });
            }
        };
    }

    @Override
    public boolean canSend() {
        return ctx.channel().isActive() && !connection.goAwayReceived() && connection.local().canOpenStream();
    }

    @Override
    public void send(long intendedNanos) {
        int id = connection.local().incrementAndGetNextStreamId();
        Http2Stream stream;
        try {
            stream = connection.local().createStream(id, false);
        } catch (Http2Exception e) {
            schedule.failed(intendedNanos);
            return;
        }
        // attached before the write: a write that fails closes the stream, and onStreamClosed counts it
        stream.setProperty(exchangeKey, new Exchange(intendedNanos));
        handler.encoder().writeHeaders(ctx, id, request, 0, true, ctx.newPromise());
        ctx.flush();
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext context, Http2Settings settings) {
        ready.complete(null);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(context, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
        Exchange x = exchange(streamId);
        if (x == null) {
            return;
        }
        if (x.status == 0 && headers.status() != null) {
            int code = HttpResponseStatus.parseLine(headers.status()).code();
            if (code >= 200) { // 1xx is interim: the final headers follow
                x.status = code;
            }
        }
        if (endOfStream) {
            x.complete = true;
        }
    }

    @Override
    public int onDataRead(ChannelHandlerContext context, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        if (endOfStream) {
            Exchange x = exchange(streamId);
            if (x != null) {
                x.complete = true;
            }
        }
        return data.readableBytes() + padding; // consumed: the flow-control window opens again
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext context, int lastStreamId, long errorCode, ByteBuf debugData) {
        // streams above lastStreamId are closed by the handler and fail in onStreamClosed
        schedule.lost();
    }

    /** Every stream ends here: after its last frame, a reset, a GOAWAY or the connection closing. */
    @Override
    public void onStreamClosed(Http2Stream stream) {
        Exchange x = stream.removeProperty(exchangeKey);
        if (x == null) {
            return;
        }
        if (x.complete && x.status != 0) {
            schedule.answered(x.intended, x.status);
        } else {
            schedule.failed(x.intended);
        }
    }

    private Exchange exchange(int streamId) {
        Http2Stream stream = connection.stream(streamId);
        return stream == null ? null : stream.getProperty(exchangeKey);
    }
}
