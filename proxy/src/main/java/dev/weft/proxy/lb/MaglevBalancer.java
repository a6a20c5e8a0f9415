package dev.weft.proxy.lb;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;

/**
 * Google's Maglev hashing: a lookup table of prime size M filled round by round, each backend
 * claiming the next free slot of its own permutation (offset + j * skip) mod M, with offset and
 * skip from two hashes of its address. Weighted as Envoy does: a backend takes a turn in a round
 * only when round * weight has reached its next target (targets step by the largest weight).
 * A request goes to table[hash mod M]; removing one of N backends remaps about 1/N of keys.
 */
final class MaglevBalancer implements LoadBalancer {
    /** The second hash (skip): murmur3 with another seed than the ring's. */
    private static final HashFunction SKIP_HASH = Hashing.murmur3_128(0x9e3779b9);

    private final Backend[] table;
    private final RandomGenerator random;

    MaglevBalancer(Backend[] unordered, int tableSize, RandomGenerator random) {
        this.random = random;
        int n = unordered.length;
        if (n == 0) {
            table = new Backend[0];
            return;
        }
        // a fixed order, so the table does not depend on the order endpoints arrive in
        Backend[] backends = unordered.clone();
        Arrays.sort(backends, Comparator.comparing(LoadBalancers::key));
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        long[] target = new long[n];
        int maxWeight = 0;
        for (int i = 0; i < n; i++) {
            String k = LoadBalancers.key(backends[i]);
            long h1 = RingHashBalancer.HASH.hashString(k, StandardCharsets.UTF_8).asLong();
            long h2 = SKIP_HASH.hashString(k, StandardCharsets.UTF_8).asLong();
            offset[i] = Long.remainderUnsigned(h1, tableSize);
            skip[i] = Long.remainderUnsigned(h2, tableSize - 1) + 1;
            maxWeight = Math.max(maxWeight, backends[i].weight());
        }
        Backend[] t = new Backend[tableSize];
        int filled = 0;
        for (long round = 1; filled < tableSize; round++) {
            for (int i = 0; i < n && filled < tableSize; i++) {
                if (round * backends[i].weight() < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                int c;
                do {
                    c = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
                    next[i]++;
                } while (t[c] != null);
                t[c] = backends[i];
                filled++;
            }
        }
        table = t;
    }

    @Override
    public Backend pick() {
        return pick(random.nextLong());
    }

    @Override
    public Backend pick(long hash) {
        return table.length == 0 ? null : table[(int) Long.remainderUnsigned(hash, table.length)];
    }

    @Override
    public boolean usesHash() {
        return true;
    }

    @Override
    public String name() {
        return "maglev";
    }
}
