package dev.weft.proxy.lb;

/**
 * Zone-aware routing over any balancer: requests stay in the caller's zone while that zone is
 * healthy enough (a serving share of its endpoints at or above the cluster's threshold), and go
 * to every zone otherwise. Health changes only with a new config, which rebuilds the balancer,
 * so the choice is made once, when it is built (only the chosen inner balancer is), and a pick
 * is a plain delegation.
 */
final class ZoneAwareBalancer implements LoadBalancer {
    private final LoadBalancer chosen;
    private final boolean local;

    /** @param chosen the balancer over the caller's zone when {@code local}, else over all zones */
    ZoneAwareBalancer(LoadBalancer chosen, boolean local) {
        this.chosen = chosen;
        this.local = local;
    }

    /** Whether picks stay in the caller's zone. */
    boolean local() {
        return local;
    }

    @Override
    public Backend pick() {
        return chosen.pick();
    }

    @Override
    public Backend pick(long hash) {
        return chosen.pick(hash);
    }

    @Override
    public boolean usesHash() {
        return chosen.usesHash();
    }

    @Override
    public String name() {
        return chosen.name();
    }
}
