package dev.weft.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The raw HTTP/1.1 path: which heads are forwarded as their bytes, what those bytes become on the
 * other side, and that everything else still takes Netty's decoder. Real codecs on EmbeddedChannels.
 */
class RawHeadTest {
    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), 8192, 4096);

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static int scanRequest(String head) {
        ByteBuf b = bytes(head);
        try {
            return new RawHeadScanner().scanRequest(b, 4096, 8192);
        } finally {
            b.release();
        }
    }

    private static int scanResponse(String head) {
        ByteBuf b = bytes(head);
        try {
            return new RawHeadScanner().scanResponse(b);
        } finally {
            b.release();
        }
    }

    private static List<Object> decodeRequests(String wire) {
        EmbeddedChannel ch = new EmbeddedChannel(HttpProxyPipeline.requestDecoder(LIMITS));
        ch.writeInbound(bytes(wire));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static String drain(EmbeddedChannel ch) {
        return EmbeddedChannels.outbound(ch);
    }

    @Test
    void plainGetIsRawAndTheScannerReadsMethodTargetAndHost() {
        String head = "GET /items?id=7 HTTP/1.1\r\nHost: catalog:8080\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\n\r\n";
        assertThat(scanRequest(head)).isEqualTo(head.length());
        List<Object> out = decodeRequests(head);
        assertThat(out).hasSize(1); // a whole request: no last content follows
        assertThat(out.get(0)).isInstanceOf(RawRequest.class).isInstanceOf(LastHttpContent.class);
        RawRequest req = (RawRequest) out.get(0);
        assertThat(req.isRaw()).isTrue();
        assertThat(req.method()).isEqualTo(HttpMethod.GET);
        assertThat(req.uri()).isEqualTo("/items?id=7");
        assertThat(req.host()).isEqualTo("catalog:8080");
        // asking for the headers builds the same list Netty would, and ends the raw state
        assertThat(req.headers().get("user-agent")).isEqualTo("curl/7.88");
        assertThat(req.headers().names()).containsExactlyInAnyOrder("Host", "User-Agent", "Accept");
        assertThat(req.isRaw()).isFalse();
        req.release();
    }

    @Test
    void pipelinedRequestsInOneReadAreEachRaw() {
        List<Object> out = decodeRequests("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(out).hasSize(2);
        assertThat(((RawRequest) out.get(0)).uri()).isEqualTo("/a");
        assertThat(((RawRequest) out.get(1)).uri()).isEqualTo("/b");
        // the Host string is reused while its bytes repeat on the connection
        assertThat(((RawRequest) out.get(1)).host()).isSameAs(((RawRequest) out.get(0)).host());
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aHeadSplitAcrossReadsWaitsAndIsThenRaw() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpProxyPipeline.requestDecoder(LIMITS));
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHo"));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(bytes("st: x\r\n\r\n"));
        Object first = ch.readInbound();
        assertThat(first).isInstanceOf(RawRequest.class);
        ReferenceCountUtil.release(first);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n",         // a body: the full path
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",           // the client's connection ends
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nKeep-Alive: timeout=5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic Zm9v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",                      // refused by the full path
        "GET / HTTP/1.1\r\nHost:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n",                 // obsolete folding
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",                                // space before the colon
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n",                   // a bare CR
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\u0000c\r\n\r\n",               // NUL in a value
        "GET / HTTP/1.1\nHost: x\r\n\r\n",                                   // a bare LF line end
        "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",                         // absolute-form: rewritten
        "GET / HTTP/1.0\r\nHost: x\r\n\r\n",
        "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",                             // a leading empty line
        "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    })
    void headsThatNeedTheFullPathAreDeclined(String head) {
        assertThat(scanRequest(head)).isEqualTo(RawHeadScanner.DECLINED);
        for (Object o : decodeRequests(head)) {
            assertThat(o).isNotInstanceOf(RawRequest.class);
            ReferenceCountUtil.release(o);
        }
    }

    @Test
    void aRequestLineOverTheLimitTakesTheFullPathWhichAnswers414() {
        String head = "GET /" + "a".repeat(4200) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertThat(scanRequest(head)).isEqualTo(RawHeadScanner.DECLINED);
        List<Object> out = decodeRequests(head);
        assertThat(((HttpObject) out.get(0)).decoderResult().isFailure()).isTrue();
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void obsTextInAValueIsAllowedAsNettyAllowsIt() {
        assertThat(scanRequest("GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\r\n\r\n")).isPositive();
    }

    @Test
    void theUpstreamGetsTheClientsBytesWithoutConnectionKeepAlive() {
        List<Object> in = decodeRequests("GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n");
        EmbeddedChannel up = new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig(), true));
        up.writeOutbound(in.toArray());
        assertThat(drain(up)).isEqualTo("GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
        up.finishAndReleaseAll();
    }

    @Test
    void aMaterialisedRawRequestIsEncodedFromItsHeaderList() {
        List<Object> in = decodeRequests("GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
        ((RawRequest) in.get(0)).headers().add("x-hash", "1"); // e.g. a hash policy read the headers
        EmbeddedChannel up = new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig(), true));
        up.writeOutbound(in.toArray());
        String wire = drain(up);
        assertThat(wire).startsWith("GET /a HTTP/1.1\r\n").contains("Host: x\r\n").contains("x-hash: 1\r\n").doesNotContainIgnoringCase("connection");
        up.finishAndReleaseAll();
    }

    @Test
    void aPlainResponseIsReadRawAndForwardedAsItsBytes() {
        EmbeddedChannel up = new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig(), true));
        up.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        drain(up);
        up.writeInbound(bytes("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\nhello"));
        up.writeInbound(bytes("world"));
        List<HttpObject> msgs = new ArrayList<>();
        Object o;
        while ((o = up.readInbound()) != null) {
            msgs.add((HttpObject) o);
        }
        assertThat(msgs.get(0)).isInstanceOf(RawResponse.class);
        assertThat(((HttpResponse) msgs.get(0)).status().code()).isEqualTo(200);
        assertThat(msgs.get(msgs.size() - 1)).isInstanceOf(LastHttpContent.class);

        EmbeddedChannel down = new EmbeddedChannel(new ProxyResponseEncoder());
        ((RawResponse) msgs.get(0)).addConnectionClose(); // the client asked to close
        down.writeOutbound(msgs.toArray());
        assertThat(drain(down)).isEqualTo("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 10\r\nconnection: close\r\n\r\nhelloworld");
        up.finishAndReleaseAll();
        down.finishAndReleaseAll();
    }

    @Test
    void aWholeResponseInOneReadIsOneMessageForwardedAsOneBuffer() {
        EmbeddedChannel up = new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig(), true));
        up.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        drain(up);
        up.writeInbound(bytes("HTTP/1.1 201 Created\r\nConnection: keep-alive\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\nhello"));
        Object msg = up.readInbound();
        assertThat((Object) up.readInbound()).isNull();
        assertThat(msg).isInstanceOf(RawFullResponse.class);
        RawFullResponse whole = (RawFullResponse) msg;
        assertThat(whole.status().code()).isEqualTo(201);
        assertThat(whole.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");

        EmbeddedChannel down = new EmbeddedChannel(new ProxyResponseEncoder());
        down.writeOutbound(whole.retain());
        assertThat(drain(down)).isEqualTo("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\nhello");
        // materialised, it is an ordinary full response: the header list without Connection, the body as content
        assertThat(whole.headers().names()).containsExactly("Content-Length", "ETag");
        down.writeOutbound(whole);
        assertThat(drain(down)).startsWith("HTTP/1.1 201 Created\r\n").contains("ETag: \"x\"\r\n").endsWith("\r\n\r\nhello");
        assertThat(whole.refCnt()).isZero();
        up.finishAndReleaseAll();
        down.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 7, 8, 9, 15, 16, 17, 30})
    void aControlByteAnywhereInALongValueIsFoundAndATabIsNot(int at) {
        String value = "0123456789abcdefghijklmnopqrstuvwxyz";
        String withDel = value.substring(0, at) + '\u007f' + value.substring(at);
        String withNul = value.substring(0, at) + '\u0000' + value.substring(at);
        String withTab = value.substring(0, at) + '\t' + value.substring(at);
        assertThat(scanRequest("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + withDel + "\r\n\r\n")).isEqualTo(RawHeadScanner.DECLINED);
        assertThat(scanRequest("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + withNul + "\r\n\r\n")).isEqualTo(RawHeadScanner.DECLINED);
        assertThat(scanRequest("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + withTab + "\r\n\r\n")).isPositive();
        assertThat(scanRequest("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + value.substring(0, at) + "\u00e9\u00ff" + "\r\n\r\n")).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",                                     // read until close
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nProxy-Authenticate: Basic\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n",
    })
    void responsesThatNeedTheFullPathAreDeclined(String head) {
        assertThat(scanResponse(head)).isEqualTo(RawHeadScanner.DECLINED);
    }

    @Test
    void theResponseToHeadIsReadWithoutABodyAndTheNextOneStillParses() {
        EmbeddedChannel up = new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig(), true));
        up.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"));
        up.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        drain(up);
        up.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        List<Object> msgs = new ArrayList<>();
        Object o;
        while ((o = up.readInbound()) != null) {
            msgs.add(o);
        }
        // HEAD: Netty's decoder, no body; GET: raw, with its two bytes
        assertThat(msgs.get(0)).isNotInstanceOf(RawResponse.class);
        assertThat(msgs.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(((HttpContent) msgs.get(1)).content().readableBytes()).isZero();
        assertThat(msgs).hasSize(3);
        assertThat(msgs.get(2)).isInstanceOf(RawFullResponse.class);
        assertThat(((HttpContent) msgs.get(2)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        msgs.forEach(ReferenceCountUtil::release);
        up.finishAndReleaseAll();
    }

    @Test
    void withRawHeadsOffEveryRequestTakesNettysDecoder() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpProxyPipeline.requestDecoder(LIMITS, false));
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        Object first = ch.readInbound();
        assertThat(first).isNotInstanceOf(RawRequest.class);
        ReferenceCountUtil.release(first);
        ch.finishAndReleaseAll();
    }
}
