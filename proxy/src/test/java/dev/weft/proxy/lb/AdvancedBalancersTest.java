package dev.weft.proxy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.proxy.config.Endpoint;
import dev.weft.proxy.config.EndpointHealth;
import dev.weft.proxy.config.LbConfig;
import dev.weft.proxy.config.LbPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Peak EWMA, consistent hashing, zones, slow start and panic mode, with fixed seeds and a fake clock. */
class AdvancedBalancersTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** The fake nano clock every balancer here reads. */
    private long now;

    private LoadBalancers.Context ctx(long seed, String zone) {
        return new LoadBalancers.Context(new SplittableRandom(seed), () -> now, zone);
    }

    private static Backend backend(int i, EndpointHealth health, String zone, long servingSince) {
        Endpoint e = new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 2000 + i), health, 1, zone, false, "i" + i);
        return new Backend(e, servingSince);
    }

    private static List<Backend> healthy(int n) {
        List<Backend> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.add(backend(i, EndpointHealth.HEALTHY, "", Backend.ALWAYS_SERVING));
        }
        return b;
    }

    private static long key(int i) {
        return RingHashBalancer.HASH.hashString("user-" + i, StandardCharsets.UTF_8).asLong();
    }

    // ---- latency ----

    /**
     * Requests arrive every 200 µs; backend 0 answers in 10 ms, the others in 1 ms. The fake clock
     * jumps to each completion, which reports its latency, then to the next arrival.
     */
    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"PEAK_EWMA", "LEAST_REQUEST"})
    void latencyAwareBalancersAvoidASlowBackend(LbPolicy policy) {
        List<Backend> b = healthy(5);
        LoadBalancer lb = LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(17, ""));
        PriorityQueue<long[]> inFlight = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
        int[] counts = new int[5];
        // 30 s of traffic: the estimates' time constant is 10 s; the second half is measured
        int requests = 150_000;
        for (int r = 0; r < requests; r++) {
            if (r == requests / 2) {
                java.util.Arrays.fill(counts, 0);
            }
            long arrival = r * 200_000L;
            while (!inFlight.isEmpty() && inFlight.peek()[0] <= arrival) {
                long[] done = inFlight.poll();
                now = done[0];
                b.get((int) done[1]).onEnd(done[2]);
            }
            now = arrival;
            Backend picked = lb.pick();
            int i = b.indexOf(picked);
            counts[i]++;
            picked.onStart();
            long latency = i == 0 ? 10 * MS : MS;
            inFlight.add(new long[] {arrival + latency, i, latency});
        }
        double slowShare = (double) counts[0] / (requests - requests / 2);
        // uniform would give 20%
        assertThat(slowShare).as("slow share with %s: %s", policy, java.util.Arrays.toString(counts))
                .isLessThan(policy == LbPolicy.PEAK_EWMA ? 0.03 : 0.10);
    }

    @Test
    void peakEwmaJumpsToAPeakAndDecaysWithItsTimeConstant() {
        PeakEwma e = new PeakEwma(() -> now, 10 * S);
        assertThat(e.estimate()).isEqualTo(PeakEwma.DEFAULT_RTT_NANOS);
        e.observe(100 * MS);
        assertThat(e.estimate()).isEqualTo(100 * MS); // a peak replaces the estimate at once
        now += 10 * S;
        assertThat(e.estimate()).isCloseTo(100 * MS / Math.E, org.assertj.core.data.Offset.offset(1.0));
        double before = e.estimate();
        now += 10 * S;
        e.observe(MS);
        // a lower sample is blended in: 1 - 1/e of it after one time constant
        assertThat(e.estimate()).isCloseTo(before / Math.E + MS * (1 - 1 / Math.E), org.assertj.core.data.Offset.offset(2.0));
    }

    @Test
    void peakEwmaCostDividesByWeight() {
        List<Backend> b = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            b.add(new Backend(new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 3000 + i),
                    EndpointHealth.HEALTHY, i == 0 ? 1 : 4, "", false, ""), Backend.ALWAYS_SERVING));
        }
        LoadBalancer lb = LoadBalancers.create(LbPolicy.PEAK_EWMA, LbConfig.DEFAULTS, b, ctx(3, ""));
        b.get(0).onStart();
        b.get(0).onEnd(10 * MS);
        b.get(1).onStart();
        b.get(1).onEnd(20 * MS);
        // 10 ms / 1 against 20 ms / 4: the heavier backend is cheaper
        for (int i = 0; i < 100; i++) {
            assertThat(lb.pick()).isSameAs(b.get(1));
        }
    }

    // ---- consistent hashing ----

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"RING_HASH", "MAGLEV"})
    void sameKeySameBackendWhateverTheEndpointOrder(LbPolicy policy) {
        List<Backend> b = healthy(7);
        LoadBalancer one = LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(1, ""));
        List<Backend> shuffled = new ArrayList<>(b);
        Collections.shuffle(shuffled, new java.util.Random(5));
        LoadBalancer two = LoadBalancers.create(policy, LbConfig.DEFAULTS, shuffled, ctx(2, ""));
        assertThat(one.usesHash()).isTrue();
        for (int k = 0; k < 10_000; k++) {
            assertThat(two.pick(key(k))).isSameAs(one.pick(key(k)));
            assertThat(one.pick(key(k))).isSameAs(one.pick(key(k)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"RING_HASH", "MAGLEV"})
    void keysSpreadEvenlyAndWithoutAKeyPicksAreRandom(LbPolicy policy) {
        int n = 8;
        List<Backend> b = healthy(n);
        LoadBalancer lb = LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(9, ""));
        int[] byKey = new int[n];
        int[] random = new int[n];
        int keys = 80_000;
        for (int k = 0; k < keys; k++) {
            byKey[b.indexOf(lb.pick(key(k)))]++;
            random[b.indexOf(lb.pick())]++;
        }
        for (int i = 0; i < n; i++) {
            // ring hash with 1024 nodes: a few percent imbalance; Maglev: nearly none
            assertThat(byKey[i]).as("%s share of backend %d", policy, i).isBetween(keys / n * 75 / 100, keys / n * 125 / 100);
            // a keyless pick is a random point on the same ring or table: the same spread
            assertThat(random[i]).isBetween(keys / n * 75 / 100, keys / n * 125 / 100);
        }
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"RING_HASH", "MAGLEV"})
    void removingOneOfNRemapsAboutOneNth(LbPolicy policy) {
        int n = 10;
        List<Backend> all = healthy(n);
        LoadBalancer before = LoadBalancers.create(policy, LbConfig.DEFAULTS, all, ctx(1, ""));
        Backend removed = all.get(3);
        List<Backend> fewer = new ArrayList<>(all);
        fewer.remove(removed);
        LoadBalancer after = LoadBalancers.create(policy, LbConfig.DEFAULTS, fewer, ctx(1, ""));
        int keys = 50_000;
        int moved = 0;
        int movedNeedlessly = 0;
        for (int k = 0; k < keys; k++) {
            Backend was = before.pick(key(k));
            Backend is = after.pick(key(k));
            if (was != is) {
                moved++;
                if (was != removed) {
                    movedNeedlessly++;
                }
            }
        }
        assertThat((double) moved / keys).as("%s moved", policy).isBetween(0.7 / n, 1.3 / n);
        if (policy == LbPolicy.RING_HASH) {
            assertThat(movedNeedlessly).isZero(); // a ring only loses the removed backend's arcs
        } else {
            assertThat((double) movedNeedlessly / keys).isLessThan(0.02); // Maglev: small extra disruption
        }
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"RING_HASH", "MAGLEV"})
    void addingOneMovesAboutOneNPlusOneth(LbPolicy policy) {
        int n = 10;
        List<Backend> more = healthy(n + 1);
        List<Backend> fewer = more.subList(0, n);
        LoadBalancer before = LoadBalancers.create(policy, LbConfig.DEFAULTS, fewer, ctx(1, ""));
        LoadBalancer after = LoadBalancers.create(policy, LbConfig.DEFAULTS, more, ctx(1, ""));
        int keys = 50_000;
        int moved = 0;
        int movedElsewhere = 0;
        for (int k = 0; k < keys; k++) {
            Backend is = after.pick(key(k));
            if (before.pick(key(k)) != is) {
                moved++;
                if (is != more.get(n)) {
                    movedElsewhere++;
                }
            }
        }
        assertThat((double) moved / keys).as("%s moved", policy).isBetween(0.7 / (n + 1), 1.3 / (n + 1));
        assertThat((double) movedElsewhere / keys).isLessThan(0.02);
    }

    @Test
    void ringSizeFollowsWeightsAndBounds() {
        List<Backend> b = new ArrayList<>();
        int[] weights = {1, 3};
        for (int i = 0; i < 2; i++) {
            b.add(new Backend(new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000 + i),
                    EndpointHealth.HEALTHY, weights[i], "", false, "")));
        }
        RingHashBalancer ring = new RingHashBalancer(b.toArray(new Backend[0]), 1024, 1 << 20, new SplittableRandom(1));
        // 256 nodes per unit of weight reach 1024; 1000 rounds up to the same power of two
        assertThat(ring.ringSize()).isEqualTo(1024);
        assertThat(new RingHashBalancer(b.toArray(new Backend[0]), 1000, 1 << 20, new SplittableRandom(1)).ringSize()).isEqualTo(1024);
        assertThat(new RingHashBalancer(b.toArray(new Backend[0]), 1025, 1 << 20, new SplittableRandom(1)).ringSize()).isEqualTo(2048);
        int heavy = 0;
        for (int k = 0; k < 40_000; k++) {
            if (ring.pick(key(k)) == b.get(1)) {
                heavy++;
            }
        }
        assertThat(heavy).isBetween(28_000, 32_000);
        assertThat(new RingHashBalancer(b.toArray(new Backend[0]), 4096, 2048, new SplittableRandom(1)).ringSize()).isEqualTo(2048);
    }

    // ---- zones ----

    private static List<Backend> zones(int unhealthyInA) {
        List<Backend> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            b.add(backend(i, i < unhealthyInA ? EndpointHealth.UNHEALTHY : EndpointHealth.HEALTHY, "zone-a", Backend.ALWAYS_SERVING));
        }
        for (int i = 3; i < 6; i++) {
            b.add(backend(i, EndpointHealth.HEALTHY, "zone-b", Backend.ALWAYS_SERVING));
        }
        return b;
    }

    private static int[] picks(LoadBalancer lb, List<Backend> b, int n) {
        int[] counts = new int[b.size()];
        for (int i = 0; i < n; i++) {
            counts[b.indexOf(lb.pick())]++;
        }
        return counts;
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class)
    void theCallersZoneIsPreferredWhileHealthy(LbPolicy policy) {
        List<Backend> b = zones(0);
        LoadBalancer lb = LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(4, "zone-a"));
        assertThat(((ZoneAwareBalancer) lb).local()).isTrue();
        assertThat(lb.name()).isEqualTo(LoadBalancers.algorithmName(policy));
        int[] c = picks(lb, b, 3000);
        assertThat(c[3] + c[4] + c[5]).isZero();
        assertThat(c[0]).isPositive();
        assertThat(c[1]).isPositive();
        assertThat(c[2]).isPositive();
    }

    @Test
    void aZoneBelowItsHealthyThresholdFailsOverToAllZones() {
        // 2 of 3 serving = 67% < 70%
        List<Backend> b = zones(1);
        LoadBalancer lb = LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS, b, ctx(4, "zone-a"));
        assertThat(((ZoneAwareBalancer) lb).local()).isFalse();
        assertThat(picks(lb, b, 500)).containsExactly(0, 100, 100, 100, 100, 100);
        // with a 60% threshold the same zone is healthy enough
        LoadBalancer lenient = LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS.withZoneHealthyThreshold(60), b, ctx(4, "zone-a"));
        assertThat(picks(lenient, b, 400)).containsExactly(0, 200, 200, 0, 0, 0);
        // a zone with no endpoints at all, or no zone configured: every zone
        List<Backend> healthy = zones(0);
        assertThat(picks(LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS, healthy, ctx(4, "zone-c")), healthy, 600))
                .containsExactly(100, 100, 100, 100, 100, 100);
        assertThat(LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS, zones(0), ctx(4, ""))).isNotInstanceOf(ZoneAwareBalancer.class);
        assertThat(((ZoneAwareBalancer) LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS, zones(3), ctx(4, "zone-a"))).local())
                .isFalse();
    }

    // ---- slow start ----

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "PEAK_EWMA"})
    void aNewEndpointsShareRampsUpOverTheWindow(LbPolicy policy) {
        now = 100 * S;
        List<Backend> b = healthy(4);
        b.add(backend(4, EndpointHealth.HEALTHY, "", now));
        LbConfig cfg = LbConfig.DEFAULTS.withSlowStartWindow(Duration.ofSeconds(10));
        LoadBalancer lb = LoadBalancers.create(policy, cfg, b, ctx(8, ""));
        double[] shares = new double[4];
        long[] ages = {0, 3 * S, 6 * S, 10 * S};
        for (int a = 0; a < ages.length; a++) {
            now = 100 * S + ages[a];
            int picks = 20_000;
            int fresh = 0;
            for (int i = 0; i < picks; i++) {
                if (lb.pick() == b.get(4)) {
                    fresh++;
                }
            }
            shares[a] = (double) fresh / picks;
        }
        // factor f = 0.1 + 0.9 * age / window; the new endpoint's share is about f / (4 + f)
        assertThat(shares[0]).as("%s shares %s", policy, java.util.Arrays.toString(shares)).isLessThan(0.04);
        assertThat(shares[1]).isGreaterThan(shares[0]).isBetween(0.05, 0.12);
        assertThat(shares[2]).isGreaterThan(shares[1]).isBetween(0.10, 0.18);
        assertThat(shares[3]).isBetween(0.18, 0.22);
    }

    @Test
    void hashingPoliciesIgnoreSlowStart() {
        List<Backend> b = healthy(2);
        LbConfig cfg = LbConfig.DEFAULTS.withSlowStartWindow(Duration.ofSeconds(10));
        assertThat(LoadBalancers.create(LbPolicy.MAGLEV, cfg, b, ctx(1, ""))).isInstanceOf(MaglevBalancer.class);
        assertThat(LoadBalancers.create(LbPolicy.ROUND_ROBIN, cfg, b, ctx(1, ""))).isInstanceOf(SlowStartBalancer.class);
    }

    // ---- panic ----

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void belowThePanicThresholdEveryEndpointTakesTraffic(LbPolicy policy) {
        List<Backend> b = healthy(1);
        for (int i = 1; i < 4; i++) {
            b.add(backend(i, EndpointHealth.UNHEALTHY, "", Backend.ALWAYS_SERVING));
        }
        // 1 of 4 serving = 25% < 50%: panic
        int[] c = picks(LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(6, "")), b, 4000);
        for (int count : c) {
            assertThat(count).as("%s %s", policy, java.util.Arrays.toString(c)).isPositive();
        }
        // at 20% the same cluster is not in panic
        int[] calm = picks(LoadBalancers.create(policy, LbConfig.DEFAULTS.withHealthyPanicThreshold(20), b, ctx(6, "")), b, 1000);
        assertThat(calm).containsExactly(1000, 0, 0, 0);
        // exactly at the threshold (2 of 4 = 50%) is not panic either
        b.set(1, backend(1, EndpointHealth.DEGRADED, "", Backend.ALWAYS_SERVING));
        int[] half = picks(LoadBalancers.create(policy, LbConfig.DEFAULTS, b, ctx(6, "")), b, 1000);
        assertThat(half[2] + half[3]).isZero();
    }

    @Test
    void panicOverridesZonePreference() {
        List<Backend> b = zones(3);
        for (int i = 3; i < 5; i++) {
            b.set(i, backend(i, EndpointHealth.UNHEALTHY, "zone-b", Backend.ALWAYS_SERVING));
        }
        // 1 of 6 serving: panic, all six take traffic
        int[] c = picks(LoadBalancers.create(LbPolicy.ROUND_ROBIN, LbConfig.DEFAULTS, b, ctx(1, "zone-b")), b, 600);
        assertThat(c).containsExactly(100, 100, 100, 100, 100, 100);
    }
}
