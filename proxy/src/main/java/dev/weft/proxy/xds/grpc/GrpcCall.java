package dev.weft.proxy.xds.grpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC bidirectional-streaming call (HTTP/2 over cleartext, prior knowledge) on a connection
 * of its own: what the sidecar's ADS stream needs, and no more. grpc-java would bring about 630
 * classes (its own and Guava's) for this one call; Netty's HTTP/2 codec is loaded by the data plane
 * anyway (docs/performance.md).
 *
 * <p>Wire format (gRPC over HTTP/2): request headers {@code POST}, {@code content-type:
 * application/grpc}, {@code te: trailers}; each message a 5-byte prefix (compressed flag 0, length)
 * and its bytes in DATA frames; the call ends with trailers carrying {@code grpc-status} and
 * {@code grpc-message}. Compressed messages are refused (none is asked for). Keepalive: an HTTP/2
 * PING every {@code keepAliveTime}; no answer within {@code keepAliveTimeout} ends the call.
 *
 * <p>All network work runs on one event loop; the listener is called on {@code callbacks}, never on
 * the loop, and {@link Listener#onClose} exactly once unless the call was {@link #cancel cancelled}.
 */
public final class GrpcCall {
    /** What the caller hears of the call, on its executor. */
    public interface Listener {
        /** The request headers are sent: messages flow from now on. */
        void onReady();

        void onMessage(byte[] message);

        /** The call ended: {@code error} null when the server closed it with status OK, else what went wrong. */
        void onClose(String error);
    }

    /**
     * @param authority the {@code :authority} header (host:port)
     * @param path the method, {@code /package.Service/Method}
     * @param authorization the {@code authorization} header's value, or null
     */
    public record Options(InetSocketAddress address, String authority, String path, String authorization,
            Duration connectTimeout, Duration keepAliveTime, Duration keepAliveTimeout, int maxMessageBytes) {
        /** Never prints the authorization header: it carries the token. */
        @Override
        public String toString() {
            return "GrpcCall.Options[address=" + address + ", path=" + path + ", authorization="
                    + (authorization == null ? "none" : "<redacted>") + ", keepAliveTime=" + keepAliveTime + "]";
        }
    }

    private static final int INITIAL_WINDOW = 1 << 20;
    private static final String[] STATUS_NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

    private final Options options;
    private final Executor callbacks;
    private final Listener listener;
    private final EventLoop loop;

    // Confined to the event loop.
    private Channel connection;
    private Http2StreamChannel stream;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private ByteBuf inbound;
    private boolean responseHeaders;
    private boolean closed;
    private ScheduledFuture<?> keepAlive;
    private ScheduledFuture<?> pingTimeout;

    private GrpcCall(Options options, EventLoopGroup group, Executor callbacks, Listener listener) {
        this.options = options;
        this.callbacks = callbacks;
        this.listener = listener;
        this.loop = group.next();
    }

    /** Connects and starts the call; returns at once. */
    public static GrpcCall start(Options options, EventLoopGroup group, Class<? extends Channel> channelType,
            Executor callbacks, Listener listener) {
        GrpcCall call = new GrpcCall(options, group, callbacks, listener);
        call.loop.execute(() -> call.connect(channelType));
        return call;
    }

    /** Sends one message (queued until the call is ready); from any thread. */
    public void send(byte[] message) {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            if (stream == null) {
                pending.add(message);
            } else {
                write(message);
                stream.flush();
            }
        });
    }

    /** Ends the call from the client side (RST_STREAM CANCEL) and closes its connection; the listener hears nothing more. */
    public void cancel(String why) {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            closed = true;
            if (stream != null && stream.isActive()) {
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
            }
            release();
        });
    }

    private void connect(Class<? extends Channel> channelType) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)
                                                .initialWindowSize(INITIAL_WINDOW).maxHeaderListSize(64 * 1024))
                                        .validateHeaders(true)
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new ConnectionHandler());
                    }
                });
        b.connect(options.address()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                finish("connect to " + options.address() + " failed: " + rootMessage(f.cause()));
                return;
            }
            connection = f.channel();
            if (closed) {
                connection.close();
                return;
            }
            connection.closeFuture().addListener(c -> finish("connection to " + options.address() + " closed"));
            new Http2StreamChannelBootstrap(connection).handler(new StreamHandler()).open().addListener(s -> {
                if (!s.isSuccess()) {
                    finish("cannot open a stream: " + rootMessage(s.cause()));
                    return;
                }
                stream = (Http2StreamChannel) s.getNow();
                if (closed) {
                    stream.close();
                    return;
                }
                stream.write(new DefaultHttp2HeadersFrame(requestHeaders(), false));
                while (!pending.isEmpty()) {
                    write(pending.poll());
                }
                stream.flush();
                scheduleKeepAlive();
                deliver(listener::onReady);
            });
        });
    }

    private Http2Headers requestHeaders() {
        Http2Headers h = new DefaultHttp2Headers()
                .method("POST")
                .scheme("http")
                .path(options.path())
                .authority(options.authority())
                .add("content-type", "application/grpc")
                .add("te", "trailers")
                .add("user-agent", "weft-xds");
        if (options.authorization() != null) {
            h.add("authorization", options.authorization());
        }
        return h;
    }

    private void write(byte[] message) {
        ByteBuf frame = Unpooled.buffer(5 + message.length);
        frame.writeByte(0).writeInt(message.length).writeBytes(message);
        stream.write(new DefaultHttp2DataFrame(frame, false));
    }

    private void scheduleKeepAlive() {
        long every = options.keepAliveTime().toNanos();
        keepAlive = loop.scheduleAtFixedRate(() -> {
            if (closed || pingTimeout != null) {
                return;
            }
            connection.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
            pingTimeout = loop.schedule(() -> finish("keepalive ping not answered within " + options.keepAliveTimeout().toMillis() + " ms"),
                    options.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }, every, every, TimeUnit.NANOSECONDS);
    }

    /** Connection-level frames the multiplexer passes on: PING acks and GOAWAY. */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2PingFrame ping && ping.ack() && pingTimeout != null) {
                    pingTimeout.cancel(false);
                    pingTimeout = null;
                } else if (msg instanceof Http2GoAwayFrame goAway && goAway.lastStreamId() < streamId()) {
                    finish("the control plane sent GOAWAY (" + goAway.errorCode() + ") before the stream started");
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish("connection error: " + rootMessage(cause));
        }
    }

    private int streamId() {
        return stream == null ? Integer.MAX_VALUE : stream.stream().id();
    }

    /** The call's frames: response headers, messages, trailers; a reset or a close ends it. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    onHeaders(headers);
                } else if (msg instanceof Http2DataFrame data) {
                    onData(data);
                } else if (msg instanceof Http2ResetFrame reset) {
                    finish("stream reset by the server (" + Http2Error.valueOf(reset.errorCode()) + ")");
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish("stream closed before the server ended the call");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish("stream error: " + rootMessage(cause));
        }
    }

    private void onHeaders(Http2HeadersFrame frame) {
        Http2Headers h = frame.headers();
        if (!responseHeaders) {
            responseHeaders = true;
            CharSequence status = h.status();
            if (status == null || !"200".contentEquals(status)) {
                finish("HTTP status " + status + " from " + options.authority() + options.path());
                return;
            }
            CharSequence type = h.get("content-type");
            if (type == null || !type.toString().startsWith("application/grpc")) {
                finish("content-type " + type + " is not gRPC");
                return;
            }
            if (!frame.isEndStream()) {
                return;
            }
        } else if (!frame.isEndStream()) {
            finish("a second header block that does not end the stream");
            return;
        }
        // trailers (or a trailers-only response)
        CharSequence code = h.get("grpc-status");
        if (code == null) {
            finish("the call ended without grpc-status");
            return;
        }
        int status;
        try {
            status = Integer.parseInt(code.toString());
        } catch (NumberFormatException e) {
            finish("malformed grpc-status '" + code + "'");
            return;
        }
        if (status == 0) {
            finish(null);
        } else {
            CharSequence message = h.get("grpc-message");
            finish((status < STATUS_NAMES.length ? STATUS_NAMES[status] : "status " + status)
                    + (message == null ? "" : ": " + percentDecode(message.toString())));
        }
    }

    private void onData(Http2DataFrame frame) {
        if (!responseHeaders) {
            finish("DATA before response headers");
            return;
        }
        if (inbound == null) {
            inbound = Unpooled.buffer();
        }
        inbound.writeBytes(frame.content());
        while (inbound.readableBytes() >= 5) {
            int flag = inbound.getUnsignedByte(inbound.readerIndex());
            long length = inbound.getUnsignedInt(inbound.readerIndex() + 1);
            if (flag != 0) {
                finish("compressed message received (flag " + flag + "), none was asked for");
                return;
            }
            if (length > options.maxMessageBytes()) {
                finish("message of " + length + " bytes exceeds the limit of " + options.maxMessageBytes());
                return;
            }
            if (inbound.readableBytes() < 5 + length) {
                break;
            }
            inbound.skipBytes(5);
            byte[] message = new byte[(int) length];
            inbound.readBytes(message);
            deliver(() -> listener.onMessage(message));
        }
        inbound.discardReadBytes();
        if (frame.isEndStream()) {
            finish("the stream ended without trailers");
        }
    }

    /** Ends the call once: closes the connection and tells the listener. */
    private void finish(String error) {
        if (closed) {
            return;
        }
        closed = true;
        release();
        deliver(() -> listener.onClose(error));
    }

    /** Hands a callback to the caller's executor; one that has shut down (the caller is closing) gets nothing. */
    private void deliver(Runnable callback) {
        try {
            callbacks.execute(callback);
        } catch (RejectedExecutionException e) {
            // the caller stopped listening
        }
    }

    private void release() {
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
        }
        if (inbound != null) {
            inbound.release();
            inbound = null;
        }
        pending.clear();
        if (connection != null) {
            connection.close();
        }
    }

    private static String percentDecode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
