package dev.weft.proxy.http;

import java.time.Duration;

/**
 * Per-connection limits of a listener.
 *
 * @param headerReadTimeout from a request's first byte to its last header byte; then 408 and close
 * @param idleTimeout a keep-alive connection with no request in progress is closed after this long
 * @param maxHeaderSize header section bytes (431 beyond)
 * @param maxInitialLineLength request line bytes (414 beyond)
 */
public record HttpLimits(Duration headerReadTimeout, Duration idleTimeout, int maxHeaderSize, int maxInitialLineLength) {
}
