package dev.weft.proxy.config;

/** Receives each accepted configuration. Called on the xDS client's thread; must not block. */
public interface ConfigListener {
    void onConfig(ProxyConfig config);
}
