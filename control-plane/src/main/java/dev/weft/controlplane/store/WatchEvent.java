package dev.weft.controlplane.store;

/**
 * One change to one key. For {@link Type#DELETE}, {@code kv} carries the key, an empty value and
 * the deleting revision as its {@code modRevision}.
 */
public record WatchEvent(Type type, KeyValue kv) {
    public enum Type { PUT, DELETE }
}
