package dev.weft.api.registry;

import dev.weft.api.ValidationException;
import java.util.Locale;

/** Aggregated or per-check health, ordered from best to worst as Consul orders them. */
public enum HealthStatus {
    PASSING,
    WARNING,
    CRITICAL;

    /** The lower-case name used on every wire format ({@code passing}, {@code warning}, {@code critical}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public HealthStatus worse(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    public static HealthStatus parse(String field, String value) {
        if (value != null) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "passing": return PASSING;
                case "warning": return WARNING;
                case "critical": return CRITICAL;
                default: break;
            }
        }
        throw new ValidationException(field, "must be one of passing, warning, critical");
    }
}
