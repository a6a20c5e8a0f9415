package dev.weft.proxy.xds;

import static dev.weft.proxy.xds.XdsResources.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.proxy.xds.wire.ProtoAny;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery rule: a ProxyConfig only once routed clusters have their endpoints. */
class XdsStateTest {

    private static List<ProtoAny> any(com.google.protobuf.Message... messages) {
        return java.util.Arrays.stream(messages).map(XdsResources::pack).toList();
    }

    @Test
    void completeOnlyWhenRoutedEdsClustersHaveAssignments() throws Exception {
        XdsState s = new XdsState();
        s.apply(ResourceType.CDS, "1", any(edsCluster("catalog").build(), edsCluster("orders").build(),
                edsCluster("unrouted").build(), staticCluster(8080)));
        assertThat(s.subscription(ResourceType.EDS)).containsExactly("catalog", "orders", "unrouted");
        assertThat(s.assemble()).as("no LDS yet").isEmpty();
        s.apply(ResourceType.LDS, "1", any(outbound(15001), inbound(15006, 8080)));
        assertThat(s.subscription(ResourceType.RDS)).containsExactly("weft-outbound");
        assertThat(s.assemble()).as("RDS missing").isEmpty();
        s.apply(ResourceType.RDS, "1", any(outboundRoutes("catalog", "orders")));
        assertThat(s.assemble()).as("EDS missing").isEmpty();
        s.apply(ResourceType.EDS, "1", any(cla("catalog", "z", endpoint("10.0.0.1", 1, HealthStatus.HEALTHY, 1, false, "a"))));
        assertThat(s.assemble()).as("orders still missing").isEmpty();
        s.apply(ResourceType.EDS, "2", any(cla("orders", "")));
        var config = s.assemble().orElseThrow();
        assertThat(config.cluster("orders").endpoints()).as("known to have none").isEmpty();
        assertThat(config.cluster("catalog").endpoints()).hasSize(1);
        assertThat(config.cluster("unrouted").endpoints()).as("not routed, not waited for").isEmpty();
        assertThat(config.version()).isEqualTo("cds=1 eds=2 lds=1 rds=1");
    }

    @Test
    void aRejectedResponseChangesNothing() throws Exception {
        XdsState s = new XdsState();
        s.apply(ResourceType.CDS, "1", any(edsCluster("catalog").build()));
        var before = s.accepted();
        assertThatThrownBy(() -> s.apply(ResourceType.CDS, "2", any(edsCluster("ok").build(),
                edsCluster("bad").setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build())))
                .hasMessageStartingWith("Cluster 'bad': lb_policy:");
        assertThat(s.accepted()).isEqualTo(before);
        assertThat(s.version(ResourceType.CDS)).isEqualTo("1");
        assertThatThrownBy(() -> s.apply(ResourceType.CDS, "3", any(edsCluster("a").build(), edsCluster("a").build())))
                .hasMessage("Cluster 'a': listed twice in one response");
        assertThatThrownBy(() -> s.apply(ResourceType.CDS, "3", any(outbound(1))))
                .hasMessageContaining("type_url: expected type.googleapis.com/envoy.config.cluster.v3.Cluster");
    }

    @Test
    void removedClustersTakeTheirEndpointsAlong() throws Exception {
        XdsState s = new XdsState();
        s.apply(ResourceType.CDS, "1", any(edsCluster("a").build(), edsCluster("b").build()));
        s.apply(ResourceType.EDS, "1", any(cla("a", ""), cla("b", ""), cla("unasked", "")));
        assertThat(s.accepted().resources().get(ResourceType.EDS)).hasSize(2);
        s.apply(ResourceType.CDS, "2", any(edsCluster("a").build()));
        assertThat(s.accepted().resources().get(ResourceType.EDS)).hasSize(1);
        assertThat(s.subscription(ResourceType.EDS)).containsExactly("a");
    }
}
