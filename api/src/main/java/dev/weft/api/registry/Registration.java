package dev.weft.api.registry;

import dev.weft.api.ValidationException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An instance and its health checks, registered (or replaced) together and atomically. */
public record Registration(Instance instance, List<CheckSpec> checks) {
    public static final int MAX_CHECKS = 16;

    public Registration {
        if (instance == null) {
            throw new ValidationException("instance", "is required");
        }
        checks = checks == null ? List.of() : List.copyOf(checks);
        if (checks.size() > MAX_CHECKS) {
            throw new ValidationException("checks", "at most " + MAX_CHECKS + " checks per instance");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < checks.size(); i++) {
            if (!ids.add(checks.get(i).id())) {
                throw new ValidationException("checks[" + i + "].id", "duplicate check id '" + checks.get(i).id() + "'");
            }
        }
    }
}
