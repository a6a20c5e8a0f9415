package dev.weft.proxy.http;

import dev.weft.proxy.SidecarOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One keep-alive request head through the sidecar's downstream decoder, as a read from the socket
 * reaches it: the pipeline's own {@link StrictRequestDecoder} (taken from
 * {@link HttpProxyPipeline#requestDecoder}, which the HTTP/1.1 pipeline installs, so its HttpDecoderConfig is the production one),
 * then what DownstreamHandler does with the result: for a head Netty decoded, {@link RequestFraming#check}
 * and {@link HopByHop#strip}; for a raw head ({@link RawRequest}), reading its host and target. The
 * {@code path} parameter compares the two on the same bytes: {@code raw} is the sidecar as shipped,
 * {@code netty} the decoder with raw heads off. The same pooled direct buffer is refilled and re-read
 * every operation, so the harness allocates nothing itself. JMH's threads are not Netty event-loop
 * threads, on which Netty recycles its buffer and message objects; B/op here counts those objects
 * (about 66 B for a raw head), while the sidecar's event loop allocates nothing for them
 * (bench/footprint.sh measures that, per request, in the running sidecar). In the dev.weft.proxy.http package because those
 * classes are package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestHeadBenchmark {
    /** A browser-like GET: 336 bytes, 7 headers, Connection: keep-alive (HopByHop.strip parses it). */
    static final String BROWSER = "GET /api/v1/catalog/items/42?lang=en HTTP/1.1\r\n"
            + "Host: catalog\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: application/json, text/plain, */*\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Connection: keep-alive\r\n"
            + "X-Request-Id: 7f3c9a2e-4b1d-4e8a-9c6f-2d5b8e1a0f34\r\n"
            + "\r\n";
    /** The same request as an HTTP/1.1 client that relies on keep-alive by default sends it (no Connection header): 312 bytes. */
    static final String NO_CONNECTION = BROWSER.replace("Connection: keep-alive\r\n", "");

    @Param({"browser", "no-connection-header"})
    public String request;

    @Param({"raw", "netty"})
    public String path;

    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private ByteBuf input;
    private byte[] bytes;
    private final Sink sink = new Sink();

    @Setup
    public void setup() {
        channel = new EmbeddedChannel();
        SidecarOptions defaults = SidecarOptions.defaults();
        HttpLimits limits = new HttpLimits(defaults.headerReadTimeout(), defaults.idleTimeout(), defaults.maxHeaderSize(),
                defaults.maxInitialLineLength());
        pipeline = channel.pipeline();
        // the decoder every downstream HTTP/1.1 connection gets; the sink stands in for DownstreamHandler
        boolean raw = path.equals("raw");
        pipeline.addLast("decoder", HttpProxyPipeline.requestDecoder(limits, raw));
        pipeline.addLast("sink", sink);
        bytes = (request.equals("browser") ? BROWSER : NO_CONNECTION).getBytes(StandardCharsets.US_ASCII);
        input = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);

        // one round trip to check the harness: a clean request, sound framing, hop-by-hop headers gone
        sink.validate = true;
        read();
        if (sink.requests != 1 || sink.lastContents != 1 || sink.failures != 0 || sink.framingErrors != 0
                || (raw ? sink.rawRequests != 1 : sink.headersLeft != 6)) {
            throw new IllegalStateException("unexpected decode: " + sink);
        }
    }

    @TearDown
    public void tearDown() {
        if (sink.failures != 0 || sink.framingErrors != 0 || sink.requests != sink.lastContents) {
            throw new IllegalStateException("a decode went wrong during the run: " + sink);
        }
        channel.finishAndReleaseAll();
        input.release();
    }

    /** The decoder alone: bytes in, a RawRequest (raw) or DefaultHttpRequest + LastHttpContent (netty) out, released. */
    @Benchmark
    public int decode() {
        sink.validate = false;
        read();
        return sink.requests;
    }

    /** The decoder, then what DownstreamHandler checks before routing. */
    @Benchmark
    public int decodeAndValidate() {
        sink.validate = true;
        read();
        return sink.headersLeft;
    }

    private void read() {
        // fresh bytes each time, as from the socket (no allocation: the same buffer is rewritten)
        input.retain().setBytes(0, bytes).readerIndex(0); // the decoder releases the buffer once it has consumed it
        pipeline.fireChannelRead(input);
        pipeline.fireChannelReadComplete();
    }

    /** Stands in for DownstreamHandler: validates the head as it does, then releases what arrived. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        boolean validate;
        int requests;
        int rawRequests;
        int lastContents;
        int failures;
        int framingErrors;
        int headersLeft;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof RawRequest raw && raw.isRaw()) {
                requests++;
                rawRequests++;
                if (validate) {
                    headersLeft = raw.host().length() + raw.uri().length(); // what routing reads; no header list
                }
            } else if (msg instanceof HttpRequest req) {
                requests++;
                if (req.decoderResult().isFailure()) {
                    failures++;
                }
                if (validate) {
                    if (RequestFraming.check(req) != null) {
                        framingErrors++;
                    }
                    HopByHop.strip(req.headers(), true);
                    headersLeft = req.headers().size();
                }
            }
            if (msg instanceof LastHttpContent) {
                lastContents++;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public String toString() {
            return "requests=" + requests + " rawRequests=" + rawRequests + " lastContents=" + lastContents + " failures=" + failures
                    + " framingErrors=" + framingErrors + " headersLeft=" + headersLeft;
        }
    }
}
