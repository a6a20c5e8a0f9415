package dev.weft.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ProtosTest {
    @Test
    void ipLiteralsParseWithoutALookupAndEverythingElseIsRefused() throws Exception {
        assertThat(Protos.ipLiteral("127.0.0.1")).isEqualTo(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        assertThat(Protos.ipLiteral("10.255.0.9").getHostAddress()).isEqualTo("10.255.0.9");
        assertThat(Protos.ipLiteral("::1").getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(Protos.ipLiteral("2001:db8::1").getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(Protos.ipLiteral("::ffff:10.0.0.1")).isNotNull();
        for (String bad : new String[] {"", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.x",
            " 1.2.3.4", "1.2.3.4 ", "1..2.3", ":::", "fe80::1%eth0", "g::1", ".1:2", "[::1]", "1.2.3.-4"}) {
            assertThat(Protos.ipLiteral(bad)).as("'%s'", bad).isNull();
        }
    }
}
