package dev.weft.controlplane.store;

/** A watch asked for history the store no longer keeps; the caller should re-read and watch again. */
public final class CompactedException extends StoreException {
    private final long compactRevision;

    public CompactedException(long requested, long compactRevision) {
        super("revision " + requested + " has been compacted; the oldest kept is " + compactRevision);
        this.compactRevision = compactRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }
}
