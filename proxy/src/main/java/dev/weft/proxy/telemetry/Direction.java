package dev.weft.proxy.telemetry;

import java.util.Locale;

/** Which side of the sidecar a request came in on; the {@code direction} metric label. */
public enum Direction {
    OUTBOUND,
    INBOUND;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }
}
