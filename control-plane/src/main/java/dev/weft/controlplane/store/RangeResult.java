package dev.weft.controlplane.store;

import java.util.List;

/** Keys read together, and the store revision they were read at. */
public record RangeResult(List<KeyValue> kvs, long revision) {
    public RangeResult {
        kvs = List.copyOf(kvs);
    }
}
