package dev.weft.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * A fixed-rate HTTP load generator that does not lie about latency (no Debian package provides
 * wrk2 or fortio), over HTTP/1.1 or h2c. Requests are spread round-robin over C connections, each
 * with its own schedule of intended send times ({@link RequestSchedule}); latency is measured from
 * the intended send time, so stalls show up in the percentiles (coordinated omission corrected).
 * HTTP/1.1 keeps one request in flight per connection and queues the rest; h2 sends each request
 * on its own stream, up to the peer's concurrent-stream limit.
 *
 * <p>Usage: {@code FixedRateLoad [--protocol http1|h2] URL RATE SECONDS CONNECTIONS [WARMUP_SECONDS] [AUTHORITY]};
 * AUTHORITY is the Host header (HTTP/1.1) or {@code :authority} (h2), by default the URL's
 * host:port. Prints one line, the same for both protocols: sent (answered + failed), errors
 * (non-2xx responses, and requests that got no response: stream reset, GOAWAY, connection lost),
 * achieved rate (responses per second), and p50/p90/p99/p99.9/max in milliseconds over all
 * responses.
 */
public final class FixedRateLoad {
    static final String USAGE = "usage: FixedRateLoad [--protocol http1|h2] URL RATE SECONDS CONNECTIONS [WARMUP_SECONDS] [AUTHORITY]";

    public enum Protocol {
        HTTP1("http1"), H2("h2");

        final String label;

        Protocol(String label) {
            this.label = label;
        }

        static Protocol parse(String s) {
            for (Protocol p : values()) {
                if (p.label.equals(s.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--protocol must be http1 or h2, got '" + s + "'");
        }
    }

    /** One run, parsed and checked once from the command line. */
    record Spec(Protocol protocol, URI url, String authority, double rate, int warmupSeconds, int seconds, int connections) {
        static Spec parse(String... args) {
            Protocol protocol = Protocol.HTTP1;
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--protocol")) {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--protocol needs a value: http1 or h2");
                    }
                    protocol = Protocol.parse(args[++i]);
                } else if (args[i].startsWith("--protocol=")) {
                    protocol = Protocol.parse(args[i].substring("--protocol=".length()));
                } else if (args[i].startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                } else {
                    positional.add(args[i]);
                }
            }
            if (positional.size() < 4 || positional.size() > 6) {
                throw new IllegalArgumentException("expected 4 to 6 arguments, got " + positional.size());
            }
            URI url;
            try {
                url = URI.create(positional.get(0));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("URL is not a URI: " + e.getMessage());
            }
            if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 0) {
                throw new IllegalArgumentException("URL must be http://HOST:PORT/PATH (TLS is not supported), got '" + url + "'");
            }
            double rate = number(positional.get(1), "RATE");
            int seconds = (int) number(positional.get(2), "SECONDS");
            int connections = (int) number(positional.get(3), "CONNECTIONS");
            int warmup = positional.size() > 4 ? (int) number(positional.get(4), "WARMUP_SECONDS") : 2;
            String authority = positional.size() > 5 ? positional.get(5) : url.getHost() + ":" + url.getPort();
            return new Spec(protocol, url, authority, rate, warmup, seconds, connections);
        }

        private static double number(String s, String field) {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " must be a number, got '" + s + "'");
            }
            if (!(v > 0)) {
                throw new IllegalArgumentException(field + " must be above zero, got '" + s + "'");
            }
            return v;
        }

        String path() {
            String p = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            return url.getRawQuery() == null ? p : p + "?" + url.getRawQuery();
        }
    }

    public static void main(String[] args) throws Exception {
        Spec spec;
        try {
            spec = Spec.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.out.println(run(spec).format());
    }

    /**
     * @param requests answered plus failed
     * @param non2xx   responses whose status was not 2xx
     * @param failed   requests that got no response
     * @param achieved responses per second
     */
    public record Result(Protocol protocol, double rate, int seconds, long requests, long non2xx, long failed,
                         double achieved, Histogram h) {
        public long errors() {
            return non2xx + failed;
        }

        public String format() {
            return String.format(Locale.ROOT, "%s target %.0f rps for %d s: sent %d, errors %d (non-2xx %d, reset %d), achieved %.1f rps | latency ms p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f",
                    protocol.label, rate, seconds, requests, errors(), non2xx, failed, achieved,
                    ms(50), ms(90), ms(99), ms(99.9), h.getMaxValue() / 1e6);
        }

        private double ms(double p) {
            return h.getValueAtPercentile(p) / 1e6;
        }
    }

    /** HTTP/1.1, as the balancer benchmark runs it. */
    public static Result run(URI url, String hostHeader, double rate, int warmupSeconds, int seconds, int connections) throws Exception {
        return run(new Spec(Protocol.HTTP1, url, hostHeader, rate, warmupSeconds, seconds, connections));
    }

    private record Connection(Channel channel, RequestSchedule schedule) {
    }

    static Result run(Spec spec) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            long intervalNanos = (long) (spec.connections() * 1e9 / spec.rate());
            Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            List<Connection> conns = new ArrayList<>();
            for (int i = 0; i < spec.connections(); i++) {
                conns.add(connect(b, spec));
            }
            // Warm-up at the same rate, not recorded; then the measured run.
            runPhase(conns, intervalNanos, Math.max(1, spec.warmupSeconds()), false);
            long start = System.nanoTime();
            runPhase(conns, intervalNanos, spec.seconds(), true);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Histogram all = RequestSchedule.newHistogram();
            long answered = 0;
            long non2xx = 0;
            long failed = 0;
            for (Connection c : conns) {
                RequestSchedule s = c.schedule(); // its last write happened before its countDown in runPhase
                all.add(s.histogram);
                answered += s.answered;
                non2xx += s.non2xx;
                failed += s.failed;
                c.channel().close();
            }
            return new Result(spec.protocol(), spec.rate(), spec.seconds(), answered + failed, non2xx, failed, answered / elapsed, all);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static Connection connect(Bootstrap b, Spec spec) throws Exception {
        ChannelHandler initializer;
        RequestSchedule schedule;
        CompletableFuture<Void> ready;
        if (spec.protocol() == Protocol.H2) {
            H2LoadClient c = new H2LoadClient(spec.path(), spec.authority());
            initializer = c.initializer();
            schedule = c.schedule;
            ready = c.ready;
        } else {
            Http1LoadClient c = new Http1LoadClient(spec.path(), spec.authority());
            initializer = c.initializer();
            schedule = c.schedule;
            ready = c.ready;
        }
        String target = spec.url().getHost() + ":" + spec.url().getPort();
        Channel ch = b.clone().handler(initializer).connect(spec.url().getHost(), spec.url().getPort()).sync().channel();
        try {
            ready.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            ch.close();
            throw new IllegalStateException(target + " did not become ready for " + spec.protocol().label + " within 5 s"
                    + (spec.protocol() == Protocol.H2 ? " (no SETTINGS frame: is it an h2c prior-knowledge listener?)" : ""), e);
        }
        return new Connection(ch, schedule);
    }

    private static void runPhase(List<Connection> conns, long intervalNanos, int seconds, boolean record)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(conns.size());
        long phaseStart = System.nanoTime();
        long phaseEnd = phaseStart + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < conns.size(); i++) {
            Connection c = conns.get(i);
            long first = phaseStart + intervalNanos * i / conns.size(); // stagger: round-robin over the connections
            c.channel().eventLoop().execute(() -> c.schedule().startPhase(c.channel().eventLoop(), first, intervalNanos, phaseEnd, record, done));
        }
        if (!done.await(seconds + 30L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the run did not finish: responses stopped arriving");
        }
    }
}
