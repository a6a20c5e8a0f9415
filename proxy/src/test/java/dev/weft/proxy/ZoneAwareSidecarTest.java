package dev.weft.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.ClusterConfig;
import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sidecar's zone ({@code weft proxy --zone}) reaches its balancers: real sockets, real backends. */
class ZoneAwareSidecarTest {
    private static Endpoint in(TestBackend b, String zone, EndpointHealth health) {
        return new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port()), health, 1, zone, false, "");
    }

    @Test
    void requestsStayInTheSidecarsZoneUntilItIsUnhealthy() throws Exception {
        TestBackend local1 = new TestBackend("local1");
        TestBackend local2 = new TestBackend("local2");
        TestBackend remote = new TestBackend("remote");
        try (Sidecar s = Sidecar.start(Configs.testOptions().withZone("zone-a"))) {
            HttpClient client = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.outboundPort()))).build();
            s.apply(new Configs.Builder(s).service(new ClusterConfig("svc", LbPolicy.ROUND_ROBIN, Duration.ofSeconds(1), Duration.ofSeconds(60), 0,
                    List.of(in(local1, "zone-a", EndpointHealth.HEALTHY), in(local2, "zone-a", EndpointHealth.HEALTHY),
                            in(remote, "zone-b", EndpointHealth.HEALTHY)))).build("1"));
            for (int i = 0; i < 20; i++) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create("http://svc/")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(200);
            }
            assertThat(remote.requests.get()).isZero();
            assertThat(local1.requests.get() + local2.requests.get()).isEqualTo(20);

            // one of two local endpoints down: 50% < 70%, so every zone's serving endpoints share the load
            s.apply(new Configs.Builder(s).service(new ClusterConfig("svc", LbPolicy.ROUND_ROBIN, Duration.ofSeconds(1), Duration.ofSeconds(60), 0,
                    List.of(in(local1, "zone-a", EndpointHealth.UNHEALTHY), in(local2, "zone-a", EndpointHealth.HEALTHY),
                            in(remote, "zone-b", EndpointHealth.HEALTHY)))).build("2"));
            for (int i = 0; i < 20; i++) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create("http://svc/")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(200);
            }
            assertThat(remote.requests.get()).isPositive();
        } finally {
            local1.close();
            local2.close();
            remote.close();
        }
    }
}
