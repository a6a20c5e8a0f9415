package dev.weft.proxy.cluster;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Socket addresses as operators read them: the IP (not a resolved name) and the port. */
public final class HostPort {
    private HostPort() {
    }

    public static String of(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String ip = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
