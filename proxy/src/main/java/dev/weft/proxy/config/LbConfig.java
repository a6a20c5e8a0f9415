package dev.weft.proxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A cluster's balancer parameters; each applies only to the policies named.
 *
 * @param ringMinSize RING_HASH: minimum virtual nodes on the ring (Envoy's default 1024)
 * @param ringMaxSize RING_HASH: maximum virtual nodes on the ring (Envoy's default 8M)
 * @param maglevTableSize MAGLEV: lookup table size, a prime (Envoy's default 65537)
 * @param slowStartWindow ROUND_ROBIN, RANDOM, LEAST_REQUEST, PEAK_EWMA: a newly serving endpoint's
 *     share ramps from 10% to 100% over this; {@link Duration#ZERO} turns slow start off
 * @param healthyPanicThreshold all policies: below this percentage of serving endpoints, every
 *     endpoint (serving or not) takes traffic; 0 turns panic mode off (Envoy's default 50)
 * @param ewmaDecay PEAK_EWMA: the time constant with which a latency peak decays (Linkerd's 10 s)
 * @param zoneHealthyThreshold all policies: the caller's zone is preferred while at least this
 *     percentage of its endpoints is serving
 */
public record LbConfig(
        int ringMinSize,
        int ringMaxSize,
        int maglevTableSize,
        Duration slowStartWindow,
        double healthyPanicThreshold,
        Duration ewmaDecay,
        double zoneHealthyThreshold) {
    public static final LbConfig DEFAULTS = new LbConfig(1024, 8 * 1024 * 1024, 65537, Duration.ZERO, 50, Duration.ofSeconds(10), 70);

    public LbConfig {
        Objects.requireNonNull(slowStartWindow, "slowStartWindow");
        Objects.requireNonNull(ewmaDecay, "ewmaDecay");
        if (ringMinSize < 1 || ringMaxSize < ringMinSize) {
            throw new IllegalArgumentException("ring sizes must satisfy 1 <= min <= max, were " + ringMinSize + ", " + ringMaxSize);
        }
        if (maglevTableSize < 2 || !java.math.BigInteger.valueOf(maglevTableSize).isProbablePrime(30)) {
            throw new IllegalArgumentException("maglevTableSize must be a prime, was " + maglevTableSize);
        }
        if (slowStartWindow.isNegative() || ewmaDecay.isNegative() || ewmaDecay.isZero()) {
            throw new IllegalArgumentException("slowStartWindow must not be negative and ewmaDecay must be positive");
        }
        if (!(healthyPanicThreshold >= 0 && healthyPanicThreshold <= 100) || !(zoneHealthyThreshold >= 0 && zoneHealthyThreshold <= 100)) {
            throw new IllegalArgumentException("thresholds are percentages 0-100, were " + healthyPanicThreshold + ", " + zoneHealthyThreshold);
        }
    }

    public LbConfig withRingSize(int min, int max) {
        return new LbConfig(min, max, maglevTableSize, slowStartWindow, healthyPanicThreshold, ewmaDecay, zoneHealthyThreshold);
    }

    public LbConfig withMaglevTableSize(int size) {
        return new LbConfig(ringMinSize, ringMaxSize, size, slowStartWindow, healthyPanicThreshold, ewmaDecay, zoneHealthyThreshold);
    }

    public LbConfig withSlowStartWindow(Duration window) {
        return new LbConfig(ringMinSize, ringMaxSize, maglevTableSize, window, healthyPanicThreshold, ewmaDecay, zoneHealthyThreshold);
    }

    public LbConfig withHealthyPanicThreshold(double percent) {
        return new LbConfig(ringMinSize, ringMaxSize, maglevTableSize, slowStartWindow, percent, ewmaDecay, zoneHealthyThreshold);
    }

    public LbConfig withEwmaDecay(Duration decay) {
        return new LbConfig(ringMinSize, ringMaxSize, maglevTableSize, slowStartWindow, healthyPanicThreshold, decay, zoneHealthyThreshold);
    }

    public LbConfig withZoneHealthyThreshold(double percent) {
        return new LbConfig(ringMinSize, ringMaxSize, maglevTableSize, slowStartWindow, healthyPanicThreshold, ewmaDecay, percent);
    }
}
