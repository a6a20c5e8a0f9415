package dev.weft.proxy.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/** A listener: where it binds and how it routes. */
public record ListenerSpec(String name, InetSocketAddress address, RouteTable routes) {
    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(routes, "routes");
    }
}
