package dev.weft.proxy.xds;

import static dev.weft.proxy.xds.XdsResources.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LastKnownGoodTest {
    @TempDir
    Path dir;

    private static XdsState complete(HealthStatus health) throws Exception {
        XdsState s = new XdsState();
        s.apply(ResourceType.CDS, "c1", List.of(pack(edsCluster("catalog").build()), pack(staticCluster(8080))));
        s.apply(ResourceType.EDS, "e1", List.of(pack(cla("catalog", "z1", endpoint("10.0.0.1", 15006, health, 2, true, "catalog-1")))));
        s.apply(ResourceType.LDS, "l1", List.of(pack(outbound(15001)), pack(inbound(15006, 8080))));
        s.apply(ResourceType.RDS, "r1", List.of(pack(outboundRoutes("catalog"))));
        return s;
    }

    @Test
    void roundTripsThroughTheSameTranslators() throws Exception {
        XdsState s = complete(HealthStatus.HEALTHY);
        LastKnownGood.write(dir, s.accepted());
        assertThat(XdsClient.loadLastKnownGood(dir)).contains(s.assemble().orElseThrow());
        assertThat(LastKnownGood.read(dir)).contains(s.accepted());
    }

    @Test
    void fileIsPrivateAndReplacedAtomically() throws Exception {
        LastKnownGood.write(dir, complete(HealthStatus.HEALTHY).accepted());
        Path file = dir.resolve(LastKnownGood.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Object inodeBefore = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        XdsState next = complete(HealthStatus.UNHEALTHY);
        LastKnownGood.write(dir, next.accepted());
        Object inodeAfter = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(inodeAfter).as("a new file renamed over the old one, never rewritten in place").isNotEqualTo(inodeBefore);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(LastKnownGood.FILE);
        }
        var loaded = XdsClient.loadLastKnownGood(dir).orElseThrow();
        assertThat(loaded.cluster("catalog").endpoints().get(0).health()).isEqualTo(dev.weft.proxy.config.EndpointHealth.UNHEALTHY);
        assertThat(loaded.version()).isEqualTo("cds=c1 eds=e1 lds=l1 rds=r1");
    }

    @Test
    void missingOrCorruptFilesGiveNothing() throws Exception {
        assertThat(XdsClient.loadLastKnownGood(dir)).isEmpty();
        Files.write(dir.resolve(LastKnownGood.FILE), new byte[] {5, 1, 2});
        assertThat(XdsClient.loadLastKnownGood(dir)).isEmpty();
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCapped() {
        Backoff top = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.999999);
        assertThat(top.next().toMillis()).isEqualTo(99);
        assertThat(top.next().toMillis()).isEqualTo(199);
        assertThat(top.next().toMillis()).isEqualTo(399);
        for (int i = 0; i < 60; i++) {
            top.next();
        }
        assertThat(top.next()).isLessThan(Duration.ofSeconds(30)).isGreaterThan(Duration.ofSeconds(29));
        top.reset();
        assertThat(top.next().toMillis()).isEqualTo(99);
        Backoff bottom = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.0);
        assertThat(bottom.next()).isEqualTo(Duration.ZERO);
    }
}
