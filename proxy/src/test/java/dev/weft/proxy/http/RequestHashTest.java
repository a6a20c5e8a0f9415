package dev.weft.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.HashPolicy;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHashTest {
    private static final HashPolicy USER = new HashPolicy(HashPolicy.Kind.HEADER, "x-user", false);
    private static final HashPolicy SESSION = new HashPolicy(HashPolicy.Kind.COOKIE, "sid", true);
    private static final HashPolicy SOURCE = new HashPolicy(HashPolicy.Kind.SOURCE_IP, "", false);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 40000);

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    @Test
    void sameInputSameHashAndNoInputNoKey() {
        RequestHash rh = new RequestHash();
        long a = rh.compute(List.of(USER), headers("x-user", "alice"), CLIENT).value();
        assertThat(rh.found()).isTrue();
        assertThat(rh.compute(List.of(USER), headers("X-User", "alice"), CLIENT).value()).isEqualTo(a);
        assertThat(rh.compute(List.of(USER), headers("x-user", "bob"), CLIENT).value()).isNotEqualTo(a);
        assertThat(rh.compute(List.of(USER), headers(), CLIENT).found()).isFalse();
        assertThat(rh.compute(List.of(), headers("x-user", "alice"), CLIENT).found()).isFalse();
    }

    @Test
    void cookiesAreFoundAmongOthers() {
        assertThat(RequestHash.cookie(headers("cookie", "a=1; sid=abc; b=2"), "sid")).isEqualTo("abc");
        assertThat(RequestHash.cookie(headers("cookie", "a=1", "cookie", "sid=\"q\""), "sid")).isEqualTo("q");
        assertThat(RequestHash.cookie(headers("cookie", "xsid=1; sidx=2"), "sid")).isNull();
        assertThat(RequestHash.cookie(headers(), "sid")).isNull();
    }

    @Test
    void aTerminalPolicyThatFindsItsInputEndsTheWalk() {
        RequestHash rh = new RequestHash();
        long cookieOnly = rh.compute(List.of(SESSION), headers("cookie", "sid=s1"), CLIENT).value();
        assertThat(rh.compute(List.of(SESSION, SOURCE), headers("cookie", "sid=s1"), CLIENT).value()).isEqualTo(cookieOnly);
        // no cookie: the source address decides, the same for every request from it
        long bySource = rh.compute(List.of(SESSION, SOURCE), headers(), CLIENT).value();
        assertThat(rh.found()).isTrue();
        assertThat(rh.compute(List.of(SESSION, SOURCE), headers(), new InetSocketAddress("10.0.0.7", 40001)).value()).isEqualTo(bySource);
        // non-terminal policies combine
        assertThat(rh.compute(List.of(USER, SOURCE), headers("x-user", "alice"), CLIENT).value())
                .isNotEqualTo(rh.compute(List.of(USER), headers("x-user", "alice"), CLIENT).value());
    }
}
