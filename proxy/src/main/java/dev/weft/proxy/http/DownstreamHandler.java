package dev.weft.proxy.http;

import dev.weft.proxy.cluster.HostPort;
import dev.weft.proxy.cluster.UpstreamCluster;
import dev.weft.proxy.cluster.UpstreamConnection;
import dev.weft.proxy.telemetry.LoopMetrics;
import dev.weft.proxy.cluster.UpstreamHost;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.UpstreamProtocol;
import dev.weft.proxy.config.VirtualHost;
import dev.weft.proxy.lb.Backend;
import dev.weft.proxy.lb.LoadBalancer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One downstream HTTP/1.1 connection, or one stream of a downstream HTTP/2 connection (then its
 * messages are HTTP/1-style objects converted by Netty's stream codec): validates each request,
 * routes it, picks an endpoint, takes a pooled upstream connection (HTTP/1.1) or opens a stream on a
 * pooled one (HTTP/2) on this event loop and streams both bodies with backpressure; trailers pass
 * through. On HTTP/1.1, requests are served one at a time; pipelined requests wait (reading paused)
 * until the response before them is complete; a WebSocket upgrade the upstream accepts turns both
 * connections into a byte tunnel. Everything runs on the connection's event loop.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter implements DownstreamConnection {
    private static final Logger log = LoggerFactory.getLogger(DownstreamHandler.class);
    private static final String UNKNOWN = "unknown";
    /** Compared by identity: {@link #checkRequest} answered the request itself. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String ANSWERED = new String("answered");
    private static final int IDLE = 0;
    private static final int PROXYING = 1;
    private static final int DISCARDING = 2;
    private static final int CLOSING = 3;
    /** After a WebSocket upgrade: bytes are relayed both ways until either side closes. */
    private static final int TUNNEL = 4;
    private static final String X_HTTP2_STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text().toString();
    private static final String X_HTTP2_SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text().toString();

    private final ProxyContext px;
    private final ConnectionTimeouts timeouts;
    /** Null on an HTTP/2 stream. */
    private final ProxyResponseEncoder encoder;
    /** True on an HTTP/2 stream: one exchange, no connection-level duties (the parent connection has them). */
    private final boolean h2Stream;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>(2);
    private final ArrayDeque<HttpObject> pendingUpstream = new ArrayDeque<>(4);
    private final RequestHash requestHash = new RequestHash();
    private ChannelHandlerContext ctx;
    private LoopResources loop;
    private LoopConnections connections;
    private int state = IDLE;
    private boolean draining;

    // the exchange in progress
    private long startNanos;
    private String destination = UNKNOWN;
    private boolean clientKeepAlive;
    private boolean clientHttp10;
    private boolean headRequest;
    private boolean grpcRequest;
    private boolean upgradeRequested;
    private boolean upstreamIsStream;
    private boolean requestHasBody;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean closeAfterResponse;
    private boolean recorded;
    private boolean flushUpstream;
    private int responseCode;
    private UpstreamHost host;
    private UpstreamConnection upstream;
    private boolean upstreamReady;
    private long routeTimeoutNanos;
    private LoopDeadlines.Deadline routeTimer;

    // the last routing decision on this connection, reused when config, authority and target are the same objects
    private ProxyConfig routedConfig;
    private String routedAuthority;
    private String routedUri;
    private Route routedRoute;
    private UpstreamCluster routedCluster;
    // the metrics of the last destination recorded
    private String recordedDestination;
    private LoopMetrics.Destination recorder;
    /** The handler at the end of the upstream's pipeline while this exchange owns it. */
    private UpstreamHandler upstreamHandler;

    /**
     * @param timeouts the connection's header-read and idle timers; null on an HTTP/2 stream
     * @param encoder the connection's response encoder; null on an HTTP/2 stream
     */
    DownstreamHandler(ProxyContext px, ConnectionTimeouts timeouts, ProxyResponseEncoder encoder) {
        this.px = px;
        this.timeouts = timeouts;
        this.encoder = encoder;
        this.h2Stream = timeouts == null;
        if (timeouts != null) {
            timeouts.attach(this);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = px.loop(ctx.channel().eventLoop());
        this.connections = px.connections(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (h2Stream) {
            Http2DownstreamConnection parent = ctx.channel().parent().pipeline().get(Http2DownstreamConnection.class);
            if (parent != null) {
                parent.streamStarted();
            }
            super.channelActive(ctx);
            return;
        }
        px.activeConnections().inc();
        if (!connections.add(this)) {
            draining = true; // accepted just before the listener closed
            closeNow();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!h2Stream) {
            px.activeConnections().dec();
            connections.remove(this);
        }
        state = CLOSING;
        cancelRouteTimer();
        if (upstream != null) {
            detachUpstream(false);
        }
        releaseHost();
        releaseQueued();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Error) {
            // out of (direct) memory and the like: the sidecar itself is in trouble, not just this peer
            log.warn("downstream connection {} closed on {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.debug("downstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == TUNNEL) {
            relayUpstream(msg);
            return;
        }
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == PROXYING && requestDone) {
            // the next request, pipelined: held until this exchange ends, with reading paused from now on,
            // so the queue holds what one read brought at most
            pipelined.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle((HttpObject) msg);
    }

    private void handle(HttpObject msg) {
        switch (state) {
            case IDLE -> {
                if (msg instanceof HttpRequest req) {
                    onRequestHead(req);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            case PROXYING -> onRequestContent(msg);
            case DISCARDING -> {
                ReferenceCountUtil.release(msg);
                if (msg instanceof LastHttpContent) {
                    finishExchange();
                } else if (msg.decoderResult().isFailure()) {
                    closeNow();
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushUpstream && upstreamReady && upstream != null) {
            flushUpstream = false;
            upstream.channel().flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && upstreamReady && upstream.channel() != null) {
            upstream.channel().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    // ---- request side ----

    private void onRequestHead(HttpRequest req) {
        if (!startExchange(req)) {
            ReferenceCountUtil.release(req); // answered by the sidecar; a full request's (empty) body goes too
        }
    }

    /** Returns true when {@code req} was handed on towards the upstream (which then owns it). */
    private boolean startExchange(HttpRequest req) {
        if (timeouts != null) {
            timeouts.headersReceived();
        }
        startNanos = System.nanoTime();
        state = PROXYING;
        destination = UNKNOWN;
        // an HTTP/2 request without a body arrives whole (headers with END_STREAM)
        requestDone = req instanceof LastHttpContent;
        responseStarted = false;
        informational = false;
        closeAfterResponse = draining; // a request that arrives while draining is answered with Connection: close
        recorded = false;
        responseCode = 0;
        upgradeRequested = false;
        // a raw head (HTTP/1.1, bodiless, nothing hop-by-hop but Connection: keep-alive) has passed
        // every check below in the scanner; asking for its headers would build the list it avoids
        RawRequest raw = req instanceof RawRequest r && r.isRaw() ? r : null;
        clientHttp10 = raw == null && req.protocolVersion().minorVersion() == 0;
        clientKeepAlive = raw != null || HttpUtil.isKeepAlive(req);
        headRequest = req.method().equals(HttpMethod.HEAD);
        if (encoder != null) {
            encoder.headResponse = headRequest;
        }
        grpcRequest = h2Stream && GrpcErrors.isGrpc(req.headers());
        requestHasBody = raw == null; // until the framing is known to be sound
        String authority;
        if (raw != null) {
            authority = raw.host();
        } else if ((authority = checkRequest(req)) == ANSWERED) {
            return false;
        }
        return route(req, raw, authority);
    }

    /**
     * The checks a request decoded by Netty needs; returns its authority (null: an HTTP/1.0 request
     * without Host), or {@link #ANSWERED} once the sidecar has answered it.
     */
    private String checkRequest(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            ProxyError err = cause instanceof TooLongHttpLineException ? ProxyError.URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? ProxyError.HEADER_TOO_LARGE : ProxyError.BAD_REQUEST;
            respondError(err, "malformed request: " + cause.getMessage(), true);
            return ANSWERED;
        }
        String framing = RequestFraming.check(req);
        if (framing != null) {
            respondError(ProxyError.BAD_REQUEST, "request framing refused: " + framing, true);
            return ANSWERED;
        }
        requestHasBody = !requestDone && (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0);
        if (req.method().equals(HttpMethod.CONNECT)) {
            respondError(ProxyError.BAD_REQUEST, "CONNECT tunnels are not supported", true);
            return ANSWERED;
        }
        if (req.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            respondError(ProxyError.BAD_REQUEST, "more than one Host header", true);
            return ANSWERED;
        }
        String uri = req.uri();
        String authority;
        if (uri.startsWith("/") || uri.equals("*")) {
            authority = req.headers().get(HttpHeaderNames.HOST);
            if ((authority == null || authority.isEmpty()) && !clientHttp10) {
                respondError(ProxyError.BAD_REQUEST, h2Stream ? "missing :authority" : "missing Host header", true);
                return ANSWERED;
            }
        } else if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int end = 7;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
                end++;
            }
            authority = uri.substring(7, end);
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                respondError(ProxyError.BAD_REQUEST, "bad authority in request target " + RequestFraming.printable(uri), true);
                return ANSWERED;
            }
            String path = end == uri.length() ? "/" : uri.charAt(end) == '/' ? uri.substring(end) : "/" + uri.substring(end);
            req.setUri(path);
            req.headers().set(HttpHeaderNames.HOST, authority);
        } else {
            respondError(ProxyError.BAD_REQUEST,
                    "request target must be a path or an http:// URL, was " + RequestFraming.printable(uri), true);
            return ANSWERED;
        }
        return authority;
    }

    /**
     * Routes, picks an endpoint and sends the request on (true); answers the client itself when that
     * fails (false).
     */
    private boolean route(HttpRequest req, RawRequest raw, String authority) {
        ProxyConfig cfg = px.config();
        String uri = req.uri();
        Route route;
        UpstreamCluster cluster;
        if (cfg == routedConfig && authority == routedAuthority && uri == routedUri) {
            // the same strings as the previous request on this connection (the decoder reuses them while
            // the bytes repeat) under the same config: the same route and cluster
            route = routedRoute;
            cluster = routedCluster;
            destination = route.cluster();
        } else {
            ListenerSpec listener = px.listener(cfg);
            if (listener == null) {
                respondError(ProxyError.NO_CONFIG, "the " + px.direction().label() + " listener has no configuration yet", false);
                return false;
            }
            VirtualHost vh = listener.routes().match(authority);
            if (vh == null) {
                respondError(ProxyError.UNKNOWN_SERVICE, "no service \"" + authority + "\" in the mesh", false);
                return false;
            }
            route = vh.match(uri);
            if (route == null) {
                destination = vh.name();
                respondError(ProxyError.NO_ROUTE, "service \"" + vh.name() + "\" has no route for " + RequestFraming.printable(uri), false);
                return false;
            }
            destination = route.cluster();
            cluster = loop.clusters().cluster(cfg, route.cluster());
            if (cluster == null) {
                respondError(ProxyError.UNKNOWN_CLUSTER, "service \"" + destination + "\" has no cluster", false);
                return false;
            }
            routedConfig = cfg;
            routedAuthority = authority;
            routedUri = uri;
            routedRoute = route;
            routedCluster = cluster;
        }
        LoadBalancer balancer = cluster.balancer();
        UpstreamHost picked;
        if (balancer.usesHash() && requestHash.compute(route.hashPolicies(), req.headers(), ctx.channel().remoteAddress()).found()) {
            picked = (UpstreamHost) balancer.pick(requestHash.value());
        } else {
            picked = (UpstreamHost) balancer.pick();
        }
        if (picked == null) {
            respondError(ProxyError.NO_HEALTHY_UPSTREAM, "service \"" + destination + "\" has no healthy endpoint ("
                    + cluster.hosts().size() + " known)", false);
            return false;
        }
        host = picked;
        picked.onStart();
        routeTimeoutNanos = route.timeout().toNanos();
        upgradeRequested = raw == null && !h2Stream && WebSocketUpgrade.isRequested(req);
        if (raw == null) {
            HopByHop.strip(req.headers(), true);
            if (upgradeRequested) {
                WebSocketUpgrade.restoreRequestHeaders(req.headers()); // the one hop-by-hop exchange that must pass
            }
        }
        req.setProtocolVersion(HttpVersion.HTTP_1_1);

        UpstreamProtocol protocol = cluster.config().protocol();
        // An upgrade is an HTTP/1.1 mechanism: it always goes over an HTTP/1.1 connection. "Downstream's
        // protocol" holds for endpoints fronted by a sidecar (whose inbound listener speaks both); an
        // instance registered without one is an app of unknown protocol, spoken to in HTTP/1.1.
        upstreamIsStream = !upgradeRequested && (protocol == UpstreamProtocol.HTTP2
                || (protocol == UpstreamProtocol.DOWNSTREAM && h2Stream && picked.endpoint().mesh()));
        if (h2Stream && !upstreamIsStream) {
            // Netty's stream codec adds these for HTTP/1 code; they must not leave the sidecar
            req.headers().remove(X_HTTP2_STREAM_ID).remove(X_HTTP2_SCHEME);
        }

        UpstreamConnection c = upstreamIsStream ? picked.pool().openStream() : picked.pool().acquire();
        if (c == null) {
            c = picked.pool().connect();
        }
        upstream = c;
        if (c.ready().isSuccess()) {
            attachUpstream(c);
            upstreamReady = true;
            c.channel().write(req, c.channel().voidPromise());
            flushUpstream = true;
        } else {
            upstreamReady = false;
            pendingUpstream.add(req);
            UpstreamConnection pending = c;
            c.ready().addListener(f -> onConnected(pending, f));
        }
        if (requestDone) {
            armRouteTimer();
        }
        updateRead();
        return true;
    }

    private void onConnected(UpstreamConnection c, io.netty.util.concurrent.Future<?> f) {
        if (upstream != c) {
            return; // this exchange ended before the connection was up
        }
        if (f.isSuccess()) {
            attachUpstream(c);
            upstreamReady = true;
            Channel ch = c.channel();
            HttpObject o;
            while ((o = pendingUpstream.poll()) != null) {
                ch.write(o, ch.voidPromise());
            }
            ch.flush();
            updateRead();
            return;
        }
        Throwable cause = f.cause();
        String where = HostPort.of(host.endpoint().address());
        boolean timeout = cause instanceof ConnectTimeoutException;
        respondError(timeout ? ProxyError.UPSTREAM_TIMEOUT : ProxyError.UPSTREAM_CONNECT_FAILED,
                "service \"" + destination + "\": " + (timeout ? "connect to " + where + " timed out" : "cannot connect to " + where + ": " + cause.getMessage()),
                false);
    }

    private void onRequestContent(HttpObject msg) {
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            String why = "malformed request body: " + content.decoderResult().cause().getMessage();
            if (responseStarted) {
                record(responseCode, ProxyError.BAD_REQUEST.reason());
                closeNow();
            } else {
                respondError(ProxyError.BAD_REQUEST, why, true);
            }
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (upstreamReady) {
            upstream.channel().write(content, upstream.channel().voidPromise());
            flushUpstream = true;
        } else {
            pendingUpstream.add(content);
        }
        if (last) {
            requestDone = true;
            armRouteTimer();
        }
        updateRead();
    }

    /**
     * Reading from the client runs only while its bytes have somewhere to go. Once the request is
     * complete reading stays on (a pipelined request pauses it when it arrives): turning it off and
     * on again around every exchange would cost two epoll_ctl calls per request.
     */
    void updateRead() {
        boolean read = switch (state) {
            case IDLE, DISCARDING -> true;
            case PROXYING -> pipelined.isEmpty() && (requestDone || (upstreamReady && upstream.channel().isWritable()));
            case TUNNEL -> upstream != null && upstream.channel().isWritable();
            default -> false;
        };
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) { // setAutoRead is an atomic exchange even when nothing changes
            config.setAutoRead(read);
        }
    }

    // ---- response side ----

    /** What the upstream sent: HTTP objects, or raw bytes once a WebSocket tunnel is up. */
    void onUpstreamRead(UpstreamConnection from, Object msg) {
        if (from != upstream || (state != PROXYING && state != TUNNEL)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == TUNNEL) {
            if (msg instanceof ByteBuf) {
                ctx.write(msg, ctx.voidPromise());
                if (!ctx.channel().isWritable()) {
                    from.channel().config().setAutoRead(false);
                }
            } else {
                ReferenceCountUtil.release(msg); // the empty end of the 101 response
            }
            return;
        }
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg); // an HTTP/2 reset or similar: the stream closes next, and that is reported
            return;
        }
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpResponse resp) {
            if (resp.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                onUpstreamFailed(from, resp.decoderResult().cause());
                return;
            }
            int code = resp.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                onInformational(resp, last);
                return;
            }
            if (code == 101) {
                if (upgradeRequested && !upstreamIsStream) {
                    startTunnel(resp);
                } else {
                    ReferenceCountUtil.release(msg);
                    onUpstreamFailed(from, new IllegalStateException("101 Switching Protocols to a request that asked for no upgrade"));
                }
                return;
            }
            responseStarted = true;
            responseCode = code;
            // a raw response (HTTP/1.1, Content-Length, nothing hop-by-hop but Connection: keep-alive)
            // needs from the framing rules only the close; an HTTP/1.0 or HTTP/2 client takes the full path
            RawResponse raw = resp instanceof RawResponse r && r.isRaw() && !h2Stream && !clientHttp10 ? r : null;
            upstreamKeepAlive = raw != null || HttpUtil.isKeepAlive(resp);
            if (raw != null) {
                if (!clientKeepAlive || closeAfterResponse) {
                    raw.addConnectionClose();
                }
            } else {
                if (upstreamIsStream) {
                    resp.headers().remove(X_HTTP2_STREAM_ID);
                }
                HopByHop.strip(resp.headers(), false);
                if (!h2Stream) {
                    frameForHttp1Client(resp, last ? (LastHttpContent) msg : null);
                }
            }
            ctx.write(resp, ctx.voidPromise());
            if (last) {
                onResponseComplete(); // a whole response in one message (HTTP/2 headers with END_STREAM)
            }
            return;
        }
        HttpContent content = (HttpContent) msg;
        if (content.decoderResult().isFailure()) {
            content.release();
            onUpstreamFailed(from, content.decoderResult().cause());
            return;
        }
        if (informational) {
            // the end of a 1xx response from an HTTP/1.1 upstream; an HTTP/2 client got the 1xx whole or not at all
            if (h2Stream) {
                content.release();
            } else {
                ctx.write(content, ctx.voidPromise());
            }
            if (last) {
                informational = false;
            }
            return;
        }
        ctx.write(content, ctx.voidPromise());
        if (last) {
            onResponseComplete();
        } else if (!ctx.channel().isWritable()) {
            from.channel().config().setAutoRead(false);
        }
    }

    /** HTTP/1.1 framing and connection headers of a response going to an HTTP/1.x client. */
    private void frameForHttp1Client(HttpResponse resp, LastHttpContent whole) {
        int code = resp.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        if (!bodyless && !HttpUtil.isContentLengthSet(resp) && !HttpUtil.isTransferEncodingChunked(resp)) {
            if (whole != null && whole.trailingHeaders().isEmpty()) {
                // a whole response from an HTTP/2 upstream: its length is known
                HttpUtil.setContentLength(resp, whole.content().readableBytes());
            } else if (clientHttp10) {
                // a body delimited by the upstream closing: an HTTP/1.0 client reads to the close
                closeAfterResponse = true;
            } else {
                // chunk it for HTTP/1.1 clients so their connection survives (and trailers can follow)
                HttpUtil.setTransferEncodingChunked(resp, true);
            }
        }
        if (clientHttp10 && clientKeepAlive && HttpUtil.isTransferEncodingChunked(resp)) {
            // an HTTP/1.0 client cannot read chunks: send the body raw, delimited by close
            resp.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            closeAfterResponse = true;
        }
        if (!clientKeepAlive || closeAfterResponse) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientHttp10) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** A 1xx other than 101. An HTTP/2 client gets 100 Continue as one headers frame and no other 1xx. */
    private void onInformational(HttpResponse resp, boolean whole) {
        if (!whole) {
            informational = true; // an HTTP/1.1 upstream: the 1xx's empty end follows
        }
        if (upstreamIsStream) {
            resp.headers().remove(X_HTTP2_STREAM_ID);
        }
        HopByHop.strip(resp.headers(), false);
        if (!h2Stream) {
            ctx.write(resp, ctx.voidPromise());
            return;
        }
        boolean isContinue = resp.status().code() == HttpResponseStatus.CONTINUE.code();
        if (isContinue) {
            FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER, resp.headers(), EmptyHttpHeaders.INSTANCE);
            ctx.write(full, ctx.voidPromise());
        }
        ReferenceCountUtil.release(resp);
    }

    /**
     * The upstream accepted a WebSocket upgrade: pass its 101 on, then take both connections out of
     * HTTP and relay bytes until either side closes. The exchange is counted now, as a 101.
     */
    private void startTunnel(HttpResponse resp) {
        responseStarted = true;
        responseCode = 101;
        cancelRouteTimer();
        ctx.writeAndFlush(resp, ctx.voidPromise());
        ChannelPipeline down = ctx.pipeline();
        // the 101 has been encoded; from here the bytes are the peers' own
        down.remove(encoder);
        down.remove(timeouts);
        down.remove(StrictRequestDecoder.class); // bytes it buffered come to channelRead, already in TUNNEL
        Channel up = upstream.channel();
        if (up.pipeline().get("codec") != null) {
            up.pipeline().remove("codec");
        }
        state = TUNNEL;
        record(101, ProxyError.NONE);
        releasePending();
        Object o;
        while ((o = pipelined.poll()) != null) {
            ReferenceCountUtil.release(o); // a client may not send before the 101; anything it did was not HTTP
        }
        updateRead();
    }

    private void relayUpstream(Object msg) {
        if (upstream == null || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        upstream.channel().write(msg, upstream.channel().voidPromise());
        flushUpstream = true;
        if (!upstream.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    void flushDownstream() {
        ctx.flush();
    }

    private void onResponseComplete() {
        ctx.flush();
        record(responseCode, ProxyError.NONE);
        cancelRouteTimer();
        detachUpstream(requestDone && upstreamKeepAlive);
        releaseHost(System.nanoTime() - startNanos);
        if (closeAfterResponse || !clientKeepAlive) {
            closeAfterFlush();
        } else if (!requestDone) {
            // the upstream answered before the request body ended: read the rest and drop it
            releasePending();
            state = DISCARDING;
            updateRead();
        } else {
            finishExchange();
        }
    }

    void onUpstreamFailed(UpstreamConnection from, Throwable cause) {
        if (from != upstream || !upstreamReady) {
            return; // connect failures arrive through onConnected
        }
        if (state == TUNNEL) {
            detachUpstream(false);
            releaseHost();
            closeAfterFlush(); // the other end of the tunnel closed: what it sent is delivered, then this end closes
            return;
        }
        if (state != PROXYING) {
            return;
        }
        String where = host != null ? HostPort.of(host.endpoint().address()) : "upstream";
        detachUpstream(false);
        if (!responseStarted) {
            respondError(ProxyError.UPSTREAM_RESET, "service \"" + destination + "\": " + where + " closed the "
                    + (upstreamIsStream ? "stream" : "connection") + " before responding"
                    + (cause != null ? " (" + cause.getMessage() + ")" : ""), false);
        } else {
            record(responseCode, ProxyError.UPSTREAM_RESET.reason());
            closeNow(); // the response is cut short; closing (or resetting the stream) is the only way to tell the client
        }
    }

    private void armRouteTimer() {
        if (routeTimeoutNanos > 0 && (routeTimer == null || !routeTimer.isArmed())) {
            if (routeTimer == null) {
                routeTimer = new LoopDeadlines.Deadline(LoopDeadlines.of(ctx.executor())) {
                    @Override
                    void expired() {
                        onRouteTimeout();
                    }
                };
            }
            routeTimer.arm(routeTimeoutNanos);
        }
    }

    private void onRouteTimeout() {
        if (state != PROXYING) {
            return;
        }
        if (!responseStarted) {
            respondError(ProxyError.UPSTREAM_TIMEOUT, "service \"" + destination + "\" did not respond within "
                    + TimeUnit.NANOSECONDS.toMillis(routeTimeoutNanos) + " ms", false);
        } else {
            record(responseCode, ProxyError.UPSTREAM_TIMEOUT.reason());
            closeNow();
        }
    }

    void onHeaderTimeout() {
        if (state == IDLE) {
            startNanos = System.nanoTime();
            destination = UNKNOWN;
            recorded = false;
            headRequest = false;
            encoder.headResponse = false;
            grpcRequest = false;
            state = PROXYING;
            clientKeepAlive = false;
            respondError(ProxyError.HEADER_TIMEOUT, "request headers not received within "
                    + px.limits().headerReadTimeout().toMillis() + " ms", true);
        }
    }

    // ---- drain (graceful shutdown) ----

    /**
     * The listener is draining: an idle connection closes now (returns true); one with an exchange in
     * flight answers it with {@code Connection: close}, or closes after it when the response has
     * already started, so a connection is only ever closed between exchanges. A WebSocket tunnel
     * runs on until the drain timeout.
     */
    @Override
    public boolean drain() {
        draining = true;
        if (state == CLOSING) {
            return true;
        }
        if (state == IDLE && pipelined.isEmpty()) {
            closeNow();
            return true;
        }
        closeAfterResponse = true;
        return false;
    }

    /** The drain timeout passed with this connection still open. */
    @Override
    public void forceClose() {
        if (state == PROXYING && !recorded) {
            record(responseStarted ? responseCode : 503, "drain_timeout");
        }
        closeNow();
    }

    // ---- ending an exchange ----

    private void respondError(ProxyError error, String detail, boolean forceClose) {
        cancelRouteTimer();
        if (upstream != null) {
            detachUpstream(false);
        }
        releaseHost();
        releasePending();
        // an HTTP/2 stream is never "closed" to end an exchange: it ends with the response (reset only when malformed)
        boolean close = h2Stream ? forceClose : forceClose || draining || !clientKeepAlive || (!requestDone && requestHasBody);
        record(error.status().code(), error.reason());
        if (error.status().code() >= 500 || error == ProxyError.HEADER_TIMEOUT) {
            long held = px.errorLog(error).admit(System.nanoTime());
            if (held >= 0) {
                log.info("{} {} {} destination={} client={}{}", px.direction().label(), error.status().code(), error.reason(),
                        destination, ctx.channel().remoteAddress(), held > 0 ? " (and " + held + " more since the last line)" : "");
            }
        } else {
            log.debug("{} {} {} client={}: {}", px.direction().label(), error.status().code(), error.reason(), ctx.channel().remoteAddress(), detail);
        }
        responseStarted = true;
        FullHttpResponse response = grpcRequest ? GrpcErrors.build(error, detail) : ErrorResponses.build(ctx.alloc(), error, detail, close);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (close) {
            if (h2Stream) {
                state = CLOSING;
                written.addListener(ChannelFutureListener.CLOSE); // after the response's frames went out
            } else {
                closeAfterFlush();
            }
        } else if (!requestDone) {
            state = DISCARDING; // a bodyless request's LastHttpContent is still to come
            updateRead();
        } else {
            finishExchange();
        }
    }

    private void finishExchange() {
        state = IDLE;
        host = null;
        if (timeouts != null) {
            timeouts.exchangeDone();
        }
        while (!pipelined.isEmpty() && (state == IDLE || (state == PROXYING && !requestDone) || state == DISCARDING)) {
            handle((HttpObject) pipelined.poll());
        }
        if (state == IDLE && draining) {
            closeAfterFlush();
            return;
        }
        if (state != CLOSING) {
            updateRead();
        }
    }

    private void record(int code, String reason) {
        if (!recorded) {
            recorded = true;
            if (destination != recordedDestination) { // compared by identity: the route's cluster name is one string
                recorder = loop.metrics().destination(px.direction(), destination);
                recordedDestination = destination;
            }
            recorder.record(code, reason, System.nanoTime() - startNanos);
        }
    }

    private void attachUpstream(UpstreamConnection c) {
        UpstreamHandler h = (UpstreamHandler) c.channel().pipeline().get("upstream");
        h.owner = this;
        h.connection = c;
        upstreamHandler = h;
    }

    private void detachUpstream(boolean reusable) {
        UpstreamConnection c = upstream;
        upstream = null;
        upstreamReady = false;
        flushUpstream = false;
        UpstreamHandler h = upstreamHandler;
        upstreamHandler = null;
        if (h != null && h.connection == c) { // attached (an exchange whose connection never came up was not)
            h.owner = null;
            h.connection = null;
        }
        Channel ch = c.channel();
        if (ch != null && !c.isStream() && !ch.config().isAutoRead()) {
            ch.config().setAutoRead(true); // an atomic exchange even when nothing changes: only when paused
        }
        c.pool().release(c, reusable && state != TUNNEL);
    }

    private void releaseHost() {
        releaseHost(Backend.NO_LATENCY);
    }

    /** @param latencyNanos request head to complete response, fed to latency-aware balancers */
    private void releaseHost(long latencyNanos) {
        if (host != null) {
            host.onEnd(latencyNanos);
            host = null;
        }
    }

    private void cancelRouteTimer() {
        if (routeTimer != null) {
            routeTimer.disarm();
        }
    }

    private void closeAfterFlush() {
        state = CLOSING;
        ctx.channel().config().setAutoRead(false);
        if (h2Stream) {
            ctx.flush();
            ctx.close();
            return;
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void closeNow() {
        state = CLOSING;
        cancelRouteTimer();
        if (upstream != null) {
            detachUpstream(false);
        }
        releaseHost();
        ctx.close();
    }

    private void releasePending() {
        HttpObject o;
        while ((o = pendingUpstream.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    private void releaseQueued() {
        releasePending();
        Object o;
        while ((o = pipelined.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
