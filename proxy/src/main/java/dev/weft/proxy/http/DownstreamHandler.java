package dev.weft.proxy.http;

import dev.weft.proxy.cluster.HostPort;
import dev.weft.proxy.cluster.UpstreamCluster;
import dev.weft.proxy.cluster.UpstreamConnection;
import dev.weft.proxy.cluster.UpstreamHost;
import dev.weft.proxy.config.ListenerSpec;
import dev.weft.proxy.config.ProxyConfig;
import dev.weft.proxy.config.Route;
import dev.weft.proxy.config.VirtualHost;
import dev.weft.proxy.lb.Backend;
import dev.weft.proxy.lb.LoadBalancer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One downstream HTTP/1.1 connection: validates each request, routes it, picks an endpoint, borrows
 * a pooled upstream connection on this event loop and streams both bodies with backpressure.
 * Requests are served one at a time; pipelined requests wait (reading paused) until the response
 * before them is complete. Everything runs on the connection's event loop.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DownstreamHandler.class);
    private static final String UNKNOWN = "unknown";
    private static final int IDLE = 0;
    private static final int PROXYING = 1;
    private static final int DISCARDING = 2;
    private static final int CLOSING = 3;

    private final ProxyContext px;
    private final ConnectionTimeouts timeouts;
    private final ProxyResponseEncoder encoder;
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

    DownstreamHandler(ProxyContext px, ConnectionTimeouts timeouts, ProxyResponseEncoder encoder) {
        this.px = px;
        this.timeouts = timeouts;
        this.encoder = encoder;
        timeouts.attach(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = px.loop(ctx.channel().eventLoop());
        this.connections = px.connections(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
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
        px.activeConnections().dec();
        connections.remove(this);
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
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == PROXYING && requestDone) {
            pipelined.add(msg); // the next request; reading is paused, so this holds one read at most
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
        if (upstream != null && upstreamReady) {
            upstream.channel().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    // ---- request side ----

    private void onRequestHead(HttpRequest req) {
        timeouts.headersReceived();
        startNanos = System.nanoTime();
        state = PROXYING;
        destination = UNKNOWN;
        requestDone = false;
        responseStarted = false;
        informational = false;
        closeAfterResponse = draining; // a request that arrives while draining is answered with Connection: close
        recorded = false;
        responseCode = 0;
        clientHttp10 = req.protocolVersion().minorVersion() == 0;
        clientKeepAlive = HttpUtil.isKeepAlive(req);
        encoder.headResponse = req.method().equals(HttpMethod.HEAD);
        requestHasBody = true; // until the framing is known to be sound
        ReferenceCountUtil.release(req);

        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            ProxyError err = cause instanceof TooLongHttpLineException ? ProxyError.URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? ProxyError.HEADER_TOO_LARGE : ProxyError.BAD_REQUEST;
            respondError(err, "malformed request: " + cause.getMessage(), true);
            return;
        }
        String framing = RequestFraming.check(req);
        if (framing != null) {
            respondError(ProxyError.BAD_REQUEST, "request framing refused: " + framing, true);
            return;
        }
        requestHasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        if (req.method().equals(HttpMethod.CONNECT)) {
            respondError(ProxyError.BAD_REQUEST, "CONNECT tunnels are not supported", true);
            return;
        }
        if (req.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            respondError(ProxyError.BAD_REQUEST, "more than one Host header", true);
            return;
        }
        String uri = req.uri();
        String authority;
        if (uri.startsWith("/") || uri.equals("*")) {
            authority = req.headers().get(HttpHeaderNames.HOST);
            if ((authority == null || authority.isEmpty()) && !clientHttp10) {
                respondError(ProxyError.BAD_REQUEST, "missing Host header", true);
                return;
            }
        } else if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int end = 7;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
                end++;
            }
            authority = uri.substring(7, end);
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                respondError(ProxyError.BAD_REQUEST, "bad authority in request target " + RequestFraming.printable(uri), true);
                return;
            }
            String path = end == uri.length() ? "/" : uri.charAt(end) == '/' ? uri.substring(end) : "/" + uri.substring(end);
            req.setUri(path);
            req.headers().set(HttpHeaderNames.HOST, authority);
        } else {
            respondError(ProxyError.BAD_REQUEST,
                    "request target must be a path or an http:// URL, was " + RequestFraming.printable(uri), true);
            return;
        }

        ProxyConfig cfg = px.config();
        ListenerSpec listener = px.listener(cfg);
        if (listener == null) {
            respondError(ProxyError.NO_CONFIG, "the " + px.direction().label() + " listener has no configuration yet", false);
            return;
        }
        VirtualHost vh = listener.routes().match(authority);
        if (vh == null) {
            respondError(ProxyError.UNKNOWN_SERVICE, "no service \"" + authority + "\" in the mesh", false);
            return;
        }
        Route route = vh.match(req.uri());
        if (route == null) {
            destination = vh.name();
            respondError(ProxyError.NO_ROUTE, "service \"" + vh.name() + "\" has no route for " + RequestFraming.printable(req.uri()), false);
            return;
        }
        destination = route.cluster();
        UpstreamCluster cluster = loop.clusters().cluster(cfg, route.cluster());
        if (cluster == null) {
            respondError(ProxyError.UNKNOWN_CLUSTER, "service \"" + destination + "\" has no cluster", false);
            return;
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
            return;
        }
        host = picked;
        picked.onStart();
        routeTimeoutNanos = route.timeout().toNanos();
        HopByHop.strip(req.headers(), true);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);

        UpstreamConnection c = picked.pool().acquire();
        if (c != null) {
            attachUpstream(c);
            upstreamReady = true;
            c.channel().write(req, c.channel().voidPromise());
            flushUpstream = true;
        } else {
            c = picked.pool().connect();
            attachUpstream(c);
            upstreamReady = false;
            pendingUpstream.add(req);
            c.connectFuture().addListener((ChannelFutureListener) this::onConnected);
        }
        updateRead();
    }

    private void onConnected(ChannelFuture f) {
        if (upstream == null || f.channel() != upstream.channel()) {
            return; // this exchange ended before the connection was up
        }
        if (f.isSuccess()) {
            upstreamReady = true;
            HttpObject o;
            while ((o = pendingUpstream.poll()) != null) {
                f.channel().write(o, f.channel().voidPromise());
            }
            f.channel().flush();
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

    /** Reading from the client runs only while its bytes have somewhere to go. */
    void updateRead() {
        boolean read = switch (state) {
            case IDLE, DISCARDING -> true;
            case PROXYING -> !requestDone && upstreamReady && upstream.channel().isWritable();
            default -> false;
        };
        ctx.channel().config().setAutoRead(read);
    }

    // ---- response side ----

    void onUpstreamRead(UpstreamConnection from, HttpObject msg) {
        if (from != upstream || state != PROXYING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse resp) {
            if (resp.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                onUpstreamFailed(from, resp.decoderResult().cause());
                return;
            }
            int code = resp.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                informational = true;
                HopByHop.strip(resp.headers(), false);
                ctx.write(resp, ctx.voidPromise());
                return;
            }
            responseStarted = true;
            responseCode = code;
            upstreamKeepAlive = HttpUtil.isKeepAlive(resp);
            HopByHop.strip(resp.headers(), false);
            boolean bodyless = encoder.headResponse || code == 204 || code == 304;
            if (!bodyless && !HttpUtil.isContentLengthSet(resp) && !HttpUtil.isTransferEncodingChunked(resp)) {
                // a body delimited by the upstream closing: chunk it for HTTP/1.1 clients so their connection survives
                if (clientHttp10) {
                    closeAfterResponse = true;
                } else {
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
            ctx.write(resp, ctx.voidPromise());
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                content.release();
                onUpstreamFailed(from, content.decoderResult().cause());
                return;
            }
            ctx.write(content, ctx.voidPromise());
            if (content instanceof LastHttpContent) {
                if (informational) {
                    informational = false;
                } else {
                    onResponseComplete();
                }
            } else if (!ctx.channel().isWritable()) {
                from.channel().config().setAutoRead(false);
            }
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
        if (from != upstream || state != PROXYING || !upstreamReady) {
            return; // connect failures arrive through onConnected
        }
        String where = host != null ? HostPort.of(host.endpoint().address()) : "upstream";
        detachUpstream(false);
        if (!responseStarted) {
            respondError(ProxyError.UPSTREAM_RESET, "service \"" + destination + "\": " + where + " closed the connection before responding"
                    + (cause != null ? " (" + cause.getMessage() + ")" : ""), false);
        } else {
            record(responseCode, ProxyError.UPSTREAM_RESET.reason());
            closeNow(); // the response is cut short; closing is the only way to tell the client
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
            encoder.headResponse = false;
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
     * already started, so a connection is only ever closed between exchanges.
     */
    boolean drain() {
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
    void forceClose() {
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
        boolean close = forceClose || draining || !clientKeepAlive || (!requestDone && requestHasBody);
        record(error.status().code(), error.reason());
        if (error.status().code() >= 500 || error == ProxyError.HEADER_TIMEOUT) {
            log.info("{} {} {} destination={} client={}", px.direction().label(), error.status().code(), error.reason(),
                    destination, ctx.channel().remoteAddress());
        } else {
            log.debug("{} {} {} client={}: {}", px.direction().label(), error.status().code(), error.reason(), ctx.channel().remoteAddress(), detail);
        }
        responseStarted = true;
        ctx.writeAndFlush(ErrorResponses.build(ctx.alloc(), error, detail, close));
        if (close) {
            closeAfterFlush();
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
        timeouts.exchangeDone();
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
            loop.metrics().request(px.direction(), destination, code, reason, System.nanoTime() - startNanos);
        }
    }

    private void attachUpstream(UpstreamConnection c) {
        upstream = c;
        UpstreamHandler h = c.channel().pipeline().get(UpstreamHandler.class);
        h.owner = this;
        h.connection = c;
    }

    private void detachUpstream(boolean reusable) {
        UpstreamConnection c = upstream;
        upstream = null;
        upstreamReady = false;
        flushUpstream = false;
        UpstreamHandler h = c.channel().pipeline().get(UpstreamHandler.class);
        if (h != null) {
            h.owner = null;
            h.connection = null;
        }
        c.channel().config().setAutoRead(true);
        c.pool().release(c, reusable);
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
