package dev.weft.controlplane.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the kv, lease and meta tables over one connection. Statements are prepared once; an
 * instance is confined to the thread that owns its connection.
 */
final class KvSql implements AutoCloseable {
    private static final String COLUMNS = "key, value, create_revision, mod_revision, version, lease";
    /** Binding a BLOB as the upper bound makes {@code key < ?} always true: SQLite orders every TEXT before any BLOB. */
    private static final byte[] NO_UPPER_BOUND = {(byte) 0xff};

    private final Connection c;
    private final PreparedStatement get;
    private final PreparedStatement range;
    private final PreparedStatement rangeKeys;
    private final PreparedStatement modRevision;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final PreparedStatement delete;
    private final PreparedStatement deleteRange;
    private final PreparedStatement revision;
    private final PreparedStatement setRevision;
    private final PreparedStatement leaseExists;
    private final PreparedStatement insertLease;
    private final PreparedStatement deleteLease;
    private final PreparedStatement keysOfLease;
    private final PreparedStatement deleteKeysOfLease;

    KvSql(Connection c) throws SQLException {
        this.c = c;
        get = c.prepareStatement("SELECT " + COLUMNS + " FROM kv WHERE key = ?");
        range = c.prepareStatement("SELECT " + COLUMNS + " FROM kv WHERE key >= ? AND key < ? ORDER BY key");
        rangeKeys = c.prepareStatement("SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key");
        modRevision = c.prepareStatement("SELECT mod_revision, create_revision, version FROM kv WHERE key = ?");
        insert = c.prepareStatement("INSERT INTO kv (" + COLUMNS + ") VALUES (?, ?, ?, ?, 1, ?)");
        update = c.prepareStatement("UPDATE kv SET value = ?, mod_revision = ?, version = version + 1, lease = ? WHERE key = ?");
        delete = c.prepareStatement("DELETE FROM kv WHERE key = ?");
        deleteRange = c.prepareStatement("DELETE FROM kv WHERE key >= ? AND key < ?");
        revision = c.prepareStatement("SELECT value FROM meta WHERE name = 'revision'");
        setRevision = c.prepareStatement("UPDATE meta SET value = ? WHERE name = 'revision'");
        leaseExists = c.prepareStatement("SELECT 1 FROM lease WHERE id = ?");
        insertLease = c.prepareStatement("INSERT INTO lease (id, ttl_ms) VALUES (?, ?)");
        deleteLease = c.prepareStatement("DELETE FROM lease WHERE id = ?");
        keysOfLease = c.prepareStatement("SELECT key FROM kv WHERE lease = ? ORDER BY key");
        deleteKeysOfLease = c.prepareStatement("DELETE FROM kv WHERE lease = ?");
    }

    Connection connection() {
        return c;
    }

    Optional<KeyValue> get(String key) throws SQLException {
        get.setString(1, key);
        try (ResultSet rs = get.executeQuery()) {
            return rs.next() ? Optional.of(kv(rs)) : Optional.empty();
        }
    }

    List<KeyValue> range(String prefix) throws SQLException {
        bindRange(range, prefix);
        List<KeyValue> out = new ArrayList<>();
        try (ResultSet rs = range.executeQuery()) {
            while (rs.next()) {
                out.add(kv(rs));
            }
        }
        return out;
    }

    List<String> keys(String prefix) throws SQLException {
        bindRange(rangeKeys, prefix);
        return strings(rangeKeys);
    }

    long revision() throws SQLException {
        try (ResultSet rs = revision.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("meta has no revision row");
            }
            return rs.getLong(1);
        }
    }

    /** {create_revision, version} of an existing key, or null. Index 0 is the mod revision. */
    long[] revisions(String key) throws SQLException {
        modRevision.setString(1, key);
        try (ResultSet rs = modRevision.executeQuery()) {
            return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)} : null;
        }
    }

    void insert(String key, byte[] value, long revision, long lease) throws SQLException {
        insert.setString(1, key);
        insert.setBytes(2, value);
        insert.setLong(3, revision);
        insert.setLong(4, revision);
        insert.setLong(5, lease);
        insert.executeUpdate();
    }

    void update(String key, byte[] value, long revision, long lease) throws SQLException {
        update.setBytes(1, value);
        update.setLong(2, revision);
        update.setLong(3, lease);
        update.setString(4, key);
        update.executeUpdate();
    }

    boolean delete(String key) throws SQLException {
        delete.setString(1, key);
        return delete.executeUpdate() > 0;
    }

    void deleteRange(String prefix) throws SQLException {
        bindRange(deleteRange, prefix);
        deleteRange.executeUpdate();
    }

    void setRevision(long rev) throws SQLException {
        setRevision.setLong(1, rev);
        setRevision.executeUpdate();
    }

    boolean leaseExists(long id) throws SQLException {
        leaseExists.setLong(1, id);
        try (ResultSet rs = leaseExists.executeQuery()) {
            return rs.next();
        }
    }

    void insertLease(long id, long ttlMs) throws SQLException {
        insertLease.setLong(1, id);
        insertLease.setLong(2, ttlMs);
        insertLease.executeUpdate();
    }

    boolean deleteLease(long id) throws SQLException {
        deleteLease.setLong(1, id);
        return deleteLease.executeUpdate() > 0;
    }

    List<String> keysOfLease(long id) throws SQLException {
        keysOfLease.setLong(1, id);
        return strings(keysOfLease);
    }

    void deleteKeysOfLease(long id) throws SQLException {
        deleteKeysOfLease.setLong(1, id);
        deleteKeysOfLease.executeUpdate();
    }

    /** Every persisted lease as {id, ttl_ms}. */
    List<long[]> leases() throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, ttl_ms FROM lease"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new long[] {rs.getLong(1), rs.getLong(2)});
            }
        }
        return out;
    }

    long keyCount() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM kv"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }

    private static void bindRange(PreparedStatement ps, String prefix) throws SQLException {
        ps.setString(1, prefix);
        String end = KeyRanges.prefixEnd(prefix);
        if (end == null) {
            ps.setBytes(2, NO_UPPER_BOUND);
        } else {
            ps.setString(2, end);
        }
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static KeyValue kv(ResultSet rs) throws SQLException {
        byte[] value = rs.getBytes(2);
        return new KeyValue(rs.getString(1), value == null ? new byte[0] : value,
                rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }
}
