package dev.weft.controlplane.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a watch delivers, one entry per revision. */
final class RecordingListener implements Store.WatchListener {
    record Delivery(long revision, List<WatchEvent> events) {}

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvents(long revision, List<WatchEvent> events) {
        deliveries.add(new Delivery(revision, events));
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    List<Long> revisions() {
        return deliveries.stream().map(Delivery::revision).toList();
    }

    long lastRevision() {
        return deliveries.isEmpty() ? 0 : deliveries.get(deliveries.size() - 1).revision();
    }
}
