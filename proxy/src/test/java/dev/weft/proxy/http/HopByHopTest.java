package dev.weft.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopTest {
    @Test
    void headersNamedByConnectionGoButFramingAndRoutingStay() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Host", "catalog")
                .add("Content-Length", "3")
                .add("Connection", "X-Secret ,keep-alive,, Content-Length")
                .add("Connection", "x-other\t, HOST , close")
                .add("X-Secret", "s")
                .add("X-Other", "o")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("Upgrade", "h2c")
                .add("TE", "gzip")
                .add("Trailer", "x-checksum")
                .add("Proxy-Authorization", "Basic abc")
                .add("X-Kept", "k");
        HopByHop.strip(h, true);
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "Content-Length", "X-Kept");
    }

    @Test
    void teTrailersIsKeptAndResponsesKeepProxyAuthorization() {
        HttpHeaders h = new DefaultHttpHeaders().add("TE", "Trailers").add("Proxy-Authorization", "x")
                .add("Proxy-Authenticate", "Basic").add("Connection", "close");
        HopByHop.strip(h, false);
        assertThat(h.names()).containsExactlyInAnyOrder("TE", "Proxy-Authorization");
    }
}
