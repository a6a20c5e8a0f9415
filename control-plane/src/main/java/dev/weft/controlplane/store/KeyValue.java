package dev.weft.controlplane.store;

import java.nio.charset.StandardCharsets;

/**
 * A stored key with the revisions etcd keeps for it.
 *
 * @param createRevision revision of the transaction that created the key
 * @param modRevision revision of the transaction that last wrote it
 * @param version number of writes since creation, starting at 1
 * @param lease id of the attached lease, 0 when none
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
