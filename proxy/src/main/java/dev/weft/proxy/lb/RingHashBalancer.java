package dev.weft.proxy.lb;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Ketama-style consistent hashing: each backend owns virtual nodes at murmur3 hashes of
 * "address#i", in proportion to its weight; a request goes to the first node at or after its hash,
 * wrapping around. Nodes per unit of the lightest weight: the power of two at or above what makes
 * the ring {@code minSize} (so between minSize and 2 * minSize), scaled down if the ring would
 * exceed {@code maxSize}. Removing one of N backends then moves only its own keys (about 1/N).
 */
final class RingHashBalancer implements LoadBalancer {
    static final HashFunction HASH = Hashing.murmur3_128();

    private final long[] points;
    private final Backend[] owners;
    private final RandomGenerator random;

    RingHashBalancer(Backend[] backends, int minSize, int maxSize, RandomGenerator random) {
        this.random = random;
        if (backends.length == 0) {
            points = new long[0];
            owners = new Backend[0];
            return;
        }
        int minWeight = Integer.MAX_VALUE;
        long total = 0;
        for (Backend b : backends) {
            total += b.weight();
            minWeight = Math.min(minWeight, b.weight());
        }
        // nodes per unit of the lightest weight: a power of two, so that adding or removing a
        // backend rarely changes how many nodes the others have (which would remap their keys)
        long perUnit = Long.highestOneBit(Math.max(1, (long) Math.ceil((double) minSize * minWeight / total)) * 2 - 1);
        double scale = Math.min(1.0, (double) maxSize / (perUnit * total / minWeight));
        long[][] perBackend = new long[backends.length][];
        int size = 0;
        for (int k = 0; k < backends.length; k++) {
            int count = (int) Math.max(1, Math.round(scale * perUnit * backends[k].weight() / minWeight));
            String address = LoadBalancers.key(backends[k]);
            long[] h = new long[count];
            for (int i = 0; i < count; i++) {
                h[i] = HASH.hashString(address + "#" + i, StandardCharsets.UTF_8).asLong();
            }
            perBackend[k] = h;
            size += count;
        }
        long[] keys = new long[size];
        int[] idx = new int[size];
        Integer[] order = new Integer[size];
        int p = 0;
        for (int k = 0; k < backends.length; k++) {
            for (long h : perBackend[k]) {
                keys[p] = h;
                idx[p] = k;
                order[p] = p;
                p++;
            }
        }
        // sort by hash; equal hashes (vanishingly rare) by address so every loop builds the same ring
        Arrays.sort(order, (x, y) -> keys[x] != keys[y] ? Long.compare(keys[x], keys[y])
                : LoadBalancers.key(backends[idx[x]]).compareTo(LoadBalancers.key(backends[idx[y]])));
        points = new long[size];
        owners = new Backend[size];
        for (int i = 0; i < size; i++) {
            points[i] = keys[order[i]];
            owners[i] = backends[idx[order[i]]];
        }
    }

    @Override
    public Backend pick() {
        return pick(random.nextLong());
    }

    @Override
    public Backend pick(long hash) {
        int n = points.length;
        if (n == 0) {
            return null;
        }
        int i = Arrays.binarySearch(points, hash);
        if (i < 0) {
            i = -i - 1;
        }
        return owners[i == n ? 0 : i];
    }

    @Override
    public boolean usesHash() {
        return true;
    }

    int ringSize() {
        return points.length;
    }

    @Override
    public String name() {
        return "ring_hash";
    }
}
