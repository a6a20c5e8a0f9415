package dev.weft.controlplane.registry;

import dev.weft.api.registry.CheckSpec;
import dev.weft.api.registry.HealthStatus;

/**
 * A check with its current result.
 *
 * @param output the last probe's or report's text (truncated to 4 KiB)
 * @param modifyIndex catalog index of the last status change
 */
public record CheckState(CheckSpec spec, HealthStatus status, String output, long modifyIndex) {}
