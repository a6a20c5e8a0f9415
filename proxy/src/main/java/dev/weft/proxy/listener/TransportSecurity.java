package dev.weft.proxy.listener;

import io.netty.channel.Channel;

/**
 * The step where TLS plugs into a listener: called first for every accepted connection, before the
 * HTTP handlers are added. mTLS (the security issue) adds its SslHandler here; plaintext adds nothing.
 */
@FunctionalInterface
public interface TransportSecurity {
    TransportSecurity PLAINTEXT = ch -> { };

    void configure(Channel ch);
}
