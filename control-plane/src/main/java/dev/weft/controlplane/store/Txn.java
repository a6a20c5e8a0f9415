package dev.weft.controlplane.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An atomic transaction: if every compare holds, the operations run; otherwise none does and the
 * result says so. A transaction with no operations that succeed does not create a revision.
 */
public record Txn(List<Compare> compares, List<Op> ops) {
    public Txn {
        compares = List.copyOf(compares);
        ops = List.copyOf(ops);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A precondition on one key's modification revision; 0 means "the key does not exist". */
    public record Compare(String key, long expectedModRevision) {
        public Compare {
            Objects.requireNonNull(key, "key");
        }
    }

    /** One write. */
    public sealed interface Op permits Put, Delete, DeletePrefix {}

    /** Sets a key, optionally attached to a lease (0 for none). */
    public record Put(String key, byte[] value, long lease) implements Op {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("empty key");
            }
        }
    }

    /** Removes a key if present. */
    public record Delete(String key) implements Op {}

    /** Removes every key starting with the prefix. */
    public record DeletePrefix(String prefix) implements Op {}

    public static final class Builder {
        private final List<Compare> compares = new ArrayList<>();
        private final List<Op> ops = new ArrayList<>();

        public Builder ifModRevision(String key, long expectedModRevision) {
            compares.add(new Compare(key, expectedModRevision));
            return this;
        }

        public Builder ifAbsent(String key) {
            return ifModRevision(key, 0);
        }

        public Builder put(String key, byte[] value) {
            ops.add(new Put(key, value, 0));
            return this;
        }

        public Builder put(String key, String value) {
            return put(key, value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder put(String key, byte[] value, long lease) {
            ops.add(new Put(key, value, lease));
            return this;
        }

        public Builder delete(String key) {
            ops.add(new Delete(key));
            return this;
        }

        public Builder deletePrefix(String prefix) {
            ops.add(new DeletePrefix(prefix));
            return this;
        }

        public Txn build() {
            return new Txn(compares, ops);
        }
    }
}
