package dev.weft.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A fixed-rate HTTP/1.1 load generator that does not lie about latency (no Debian package
 * provides wrk2 or fortio). Each of C keep-alive connections has its own schedule of intended
 * send times, spaced C/rate apart; a request that cannot be sent on time (the previous one has
 * not been answered) waits in that connection's queue, and its latency is still measured from its
 * intended send time, so stalls show up in the percentiles instead of silently lowering the rate
 * (coordinated omission corrected).
 *
 * <p>Usage: {@code FixedRateLoad URL RATE SECONDS CONNECTIONS [WARMUP_SECONDS] [Host header]}.
 * Prints achieved rate, errors and p50/p90/p99/p99.9/max in milliseconds.
 */
public final class FixedRateLoad {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FixedRateLoad URL RATE SECONDS CONNECTIONS [WARMUP_SECONDS] [HOST_HEADER]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        String hostHeader = args.length > 5 ? args[5] : url.getHost() + ":" + url.getPort();
        Result r = run(url, hostHeader, rate, Math.max(1, warmup), seconds, connections);
        System.out.println(r.format());
    }

    record Result(double rate, int seconds, long requests, long errors, double achieved, Histogram h) {
        String format() {
            return String.format("target %.0f rps for %d s: sent %d, errors %d, achieved %.1f rps | latency ms p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f",
                    rate, seconds, requests, errors, achieved, ms(50), ms(90), ms(99), ms(99.9), h.getMaxValue() / 1e6);
        }

        private double ms(double p) {
            return h.getValueAtPercentile(p) / 1e6;
        }
    }

    static Result run(URI url, String hostHeader, double rate, int warmupSeconds, int seconds, int connections) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            long intervalNanos = (long) (connections * 1e9 / rate);
            List<Conn> conns = new ArrayList<>();
            Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < connections; i++) {
                Conn c = new Conn(path, hostHeader);
                b.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), c);
                    }
                });
                c.channel = b.connect(url.getHost(), url.getPort()).sync().channel();
                conns.add(c);
            }
            // Warm-up at the same rate, not recorded; then the measured run.
            runPhase(group, conns, intervalNanos, warmupSeconds, false);
            long start = System.nanoTime();
            runPhase(group, conns, intervalNanos, seconds, true);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long requests = 0;
            long errors = 0;
            for (Conn c : conns) {
                all.add(c.histogram);
                requests += c.completed;
                errors += c.errors;
                c.channel.close();
            }
            return new Result(rate, seconds, requests, errors, requests / elapsed, all);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void runPhase(EventLoopGroup group, List<Conn> conns, long intervalNanos, int seconds, boolean record)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(conns.size());
        long phaseStart = System.nanoTime();
        long phaseEnd = phaseStart + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < conns.size(); i++) {
            Conn c = conns.get(i);
            long first = phaseStart + intervalNanos * i / conns.size(); // stagger the connections
            c.channel.eventLoop().execute(() -> c.startPhase(first, intervalNanos, phaseEnd, record, done));
        }
        if (!done.await(seconds + 30L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the run did not finish: responses stopped arriving");
        }
    }

    /** One connection: its schedule, its queue of late requests and its histogram. All on its event loop. */
    private static final class Conn extends SimpleChannelInboundHandler<HttpObject> {
        private final FullHttpRequest template;
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final ArrayDeque<Long> late = new ArrayDeque<>();
        Channel channel;
        private long next;
        private long interval;
        private long end;
        private boolean record;
        private CountDownLatch done;
        private boolean inFlight;
        private long inFlightIntended;
        private boolean responseOk;
        long completed;
        long errors;

        Conn(String path, String host) {
            template = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
            template.headers().set(HttpHeaderNames.HOST, host);
        }

        void startPhase(long first, long intervalNanos, long phaseEnd, boolean recordIt, CountDownLatch latch) {
            next = first;
            interval = intervalNanos;
            end = phaseEnd;
            record = recordIt;
            done = latch;
            histogram.reset();
            completed = 0;
            errors = 0;
            tick();
        }

        /** Moves every due intended time into the queue, sends if the connection is free, and re-arms. */
        private void tick() {
            long now = System.nanoTime();
            while (next <= now && next < end) {
                late.add(next);
                next += interval;
            }
            sendIfFree();
            if (next < end) {
                channel.eventLoop().schedule(this::tick, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
            } else {
                maybeDone();
            }
        }

        private void sendIfFree() {
            if (inFlight || late.isEmpty()) {
                return;
            }
            inFlight = true;
            inFlightIntended = late.poll();
            responseOk = false;
            channel.writeAndFlush(template.retainedDuplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                responseOk = r.status().code() == 200;
            }
            if (msg instanceof LastHttpContent) {
                long latency = System.nanoTime() - inFlightIntended;
                if (record) {
                    histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
                    completed++;
                    if (!responseOk) {
                        errors++;
                    }
                }
                inFlight = false;
                sendIfFree();
                maybeDone();
            } else if (msg instanceof HttpContent) {
                // body bytes: counted only as part of the whole exchange
            }
        }

        private void maybeDone() {
            if (done != null && next >= end && late.isEmpty() && !inFlight) {
                CountDownLatch d = done;
                done = null;
                d.countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors++;
            ctx.close();
        }
    }
}
