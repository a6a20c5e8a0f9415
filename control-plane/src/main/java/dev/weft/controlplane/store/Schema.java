package dev.weft.controlplane.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.sqlite.SQLiteConfig;

/** Opens connections with the pragmas the store relies on, and creates or checks the schema. */
final class Schema {
    static final int VERSION = 1;

    private Schema() {}

    /** The single write connection: WAL, and {@code synchronous=FULL} so COMMIT returns only once fsynced. */
    static Connection openWriter(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setBusyTimeout(10_000);
        Connection c = open(db, config);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            String mode = rs.next() ? rs.getString(1) : "?";
            if (!"wal".equalsIgnoreCase(mode)) {
                c.close();
                throw new SQLException("journal_mode is " + mode + ", WAL required");
            }
        }
        return c;
    }

    /** A read connection: sees committed transactions only (WAL snapshot at the first read of a transaction). */
    static Connection openReader(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setBusyTimeout(10_000);
        Connection c = open(db, config);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only = 1");
        }
        return c;
    }

    // Connections stay in auto-commit mode and transactions are spelled out (BEGIN/SAVEPOINT/COMMIT):
    // the driver's own non-auto-commit mode re-opens a transaction right after each commit, which
    // would hold the write lock and a WAL snapshot between batches.
    private static Connection open(Path db, SQLiteConfig config) throws SQLException {
        Properties props = config.toProperties();
        return DriverManager.getConnection("jdbc:sqlite:" + db, props);
    }

    /** Creates the tables in an empty database, or checks the version of an existing one. Returns the stored revision. */
    static long createOrCheck(Connection c, Path db) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            s.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            Long version = meta(c, "schema_version");
            if (version == null) {
                s.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL,"
                        + " create_revision INTEGER NOT NULL, mod_revision INTEGER NOT NULL,"
                        + " version INTEGER NOT NULL, lease INTEGER NOT NULL DEFAULT 0)");
                s.execute("CREATE INDEX kv_lease ON kv (lease) WHERE lease <> 0");
                s.execute("CREATE TABLE lease (id INTEGER PRIMARY KEY, ttl_ms INTEGER NOT NULL)");
                // etcd counts the empty store as revision 1
                s.execute("INSERT INTO meta (name, value) VALUES ('schema_version', " + VERSION + "), ('revision', 1)");
                s.execute("COMMIT");
                return 1;
            }
            if (version > VERSION) {
                s.execute("ROLLBACK");
                throw new StoreException(db + " has schema version " + version
                        + ", newer than this build supports (" + VERSION + "); run a newer Weft");
            }
            Long revision = meta(c, "revision");
            if (revision == null || revision < 1) {
                s.execute("ROLLBACK");
                throw new StoreException(db + " has no valid revision in table meta (" + revision + ")");
            }
            s.execute("COMMIT");
            return revision;
        }
    }

    static Long meta(Connection c, String name) throws SQLException {
        try (var ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
