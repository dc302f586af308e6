package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.TableState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sync's own records at the destination, in a schema of their own ({@code pgferry} by default): the applied
 * source position of each sync ({@code sync_progress}) and the state of each of its tables ({@code table_state}).
 * The position is written by {@link JdbcSink} in the same transaction as the data it covers, which is what makes the
 * apply exactly-once. Statements are portable SQL; only the DDL comes from the {@link Dialect}.
 */
public final class SyncCatalog {
    /** The schema used when none is configured. */
    public static final String DEFAULT_SCHEMA = "pgferry";

    private final Dialect dialect;
    private final String progress;
    private final String tables;
    private final String source;
    private final String schema;
    private final String syncName;
    private final String now;

    /**
     * A sync's position as stored: {@code lsn} is empty until the initial copy finished; {@code exactFrom}, set by a
     * copy that did not read one snapshot, is the source position from which changes apply exactly again (those
     * committed before it are replayed idempotently).
     */
    public record Position(
            String fingerprint,
            Optional<Lsn> lsn,
            Instant sourceCommitTime,
            Instant updatedAt,
            Optional<Lsn> exactFrom) {}

    /** One row of {@code table_state}. */
    public record TableStatus(
            String sourceTable,
            TargetTable target,
            TableState state,
            long rowsCopied,
            long bytesCopied,
            boolean createdBySync,
            String error,
            Instant updatedAt) {}

    public SyncCatalog(Dialect dialect, String schema, String syncName) {
        this.dialect = dialect;
        this.progress = dialect.catalogTable(schema, "sync_progress");
        this.tables = dialect.catalogTable(schema, "table_state");
        this.source = dialect.catalogTable(schema, "source_state");
        this.schema = schema;
        this.syncName = syncName;
        this.now = dialect.now();
    }

    /** The schema of the sync's records. */
    public String schema() {
        return schema;
    }

    /** The name of the sync whose records these are. */
    public String syncName() {
        return syncName;
    }

    /** Creates the schema and tables when missing, in one transaction of their own. */
    public static void create(Connection c, Dialect dialect, String schema) throws SQLException {
        OneTransaction.run(c, session -> {
            try (Statement st = session.createStatement()) {
                for (String ddl : dialect.catalogDdl(schema)) {
                    st.execute(ddl);
                }
            }
        });
    }

    /**
     * Adds what a newer release keeps to a catalog an older one made, for a sync that resumes: {@link #create}, but
     * a failure (a role that may no longer create in the schema) only costs the newer records, so it is returned
     * rather than thrown. Returns null on success.
     */
    public static SQLException upgrade(Connection c, Dialect dialect, String schema) {
        try {
            create(c, dialect, schema);
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /** The stored position, if this sync has one. */
    public Optional<Position> position(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT fingerprint, lsn, source_commit_time, updated_at, exact_from FROM "
                        + progress + " WHERE sync_name = ?")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long lsn = rs.getLong(2);
                Optional<Lsn> at = rs.wasNull() ? Optional.empty() : Optional.of(Lsn.of(lsn));
                long exact = rs.getLong(5);
                Optional<Lsn> exactFrom = rs.wasNull() ? Optional.empty() : Optional.of(Lsn.of(exact));
                return Optional.of(new Position(
                        rs.getString(1), at, instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)), exactFrom));
            }
        }
    }

    /**
     * Rewrites the sync's {@code updated_at} in a transaction of its own: committed synchronously (the default), it
     * returns once every WAL record before it is flushed, so what is read next on any connection is durable.
     */
    public void touch(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + progress + " SET updated_at = " + now + " WHERE sync_name = ?")) {
            ps.setString(1, syncName);
            ps.executeUpdate();
        }
    }

    /** Records the sync with no position yet (its copy has not finished), or resets its position to none. */
    public void register(Connection c, String fingerprint) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + progress
                + " SET fingerprint = ?, lsn = NULL, source_commit_time = NULL, exact_from = NULL,"
                + " updated_at = " + now
                + " WHERE sync_name = ?")) {
            up.setString(1, fingerprint);
            up.setString(2, syncName);
            if (up.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO " + progress + " (sync_name, fingerprint, updated_at) VALUES (?, ?, " + now + ")")) {
            ins.setString(1, syncName);
            ins.setString(2, fingerprint);
            ins.executeUpdate();
        }
    }

    /** The statement {@link #savePosition} runs, prepared once per connection by the sink. */
    String savePositionSql() {
        return "UPDATE " + progress + " SET fingerprint = ?, lsn = ?, source_commit_time = ?," + " updated_at = " + now
                + " WHERE sync_name = ?";
    }

    /** Sets the position in the caller's transaction; throws if the sync was never registered. */
    public void savePosition(Connection c, String fingerprint, Lsn lsn, Instant sourceCommitTime) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(savePositionSql())) {
            bindPosition(ps, fingerprint, lsn, sourceCommitTime);
            requireOne(ps.executeUpdate());
        }
    }

    void bindPosition(PreparedStatement ps, String fingerprint, Lsn lsn, Instant sourceCommitTime) throws SQLException {
        ps.setString(1, fingerprint);
        ps.setLong(2, lsn.value());
        ps.setTimestamp(3, sourceCommitTime == null ? null : Timestamp.from(sourceCommitTime));
        ps.setString(4, syncName);
    }

    void requireOne(int updated) {
        if (updated != 1) {
            throw new IllegalStateException(
                    "sync " + syncName + " has no row in " + progress + ": it was deleted while the sync ran");
        }
    }

    /** Sets the position from which changes apply exactly again, in the caller's transaction. */
    public void setExactFrom(Connection c, Lsn lsn) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + progress + " SET exact_from = ? WHERE sync_name = ?")) {
            ps.setLong(1, lsn.value());
            ps.setString(2, syncName);
            requireOne(ps.executeUpdate());
        }
    }

    /**
     * Moves the position forward to {@code lsn} when it is behind, in a statement of its own: for positions that
     * cover no data (the source moved on while the synced tables were idle).
     */
    public void advance(Connection c, Lsn lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + progress + " SET lsn = ?, updated_at = " + now
                + " WHERE sync_name = ? AND lsn IS NOT NULL AND lsn < ?")) {
            ps.setLong(1, lsn.value());
            ps.setString(2, syncName);
            ps.setLong(3, lsn.value());
            ps.executeUpdate();
        }
    }

    /** Sets a table's state and counters, creating its row when missing. */
    public void setState(
            Connection c,
            String sourceTable,
            TargetTable target,
            TableState state,
            long rows,
            long bytes,
            boolean createdBySync,
            String error)
            throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + tables
                + " SET target_schema = ?, target_table = ?, state = ?, rows_copied = ?, bytes_copied = ?,"
                + " created_by_sync = ?, error = ?, updated_at = " + now
                + " WHERE sync_name = ? AND source_table = ?")) {
            up.setString(1, target.schema());
            up.setString(2, target.table());
            up.setString(3, state.label());
            up.setLong(4, rows);
            up.setLong(5, bytes);
            up.setBoolean(6, createdBySync);
            up.setString(7, error);
            up.setString(8, syncName);
            up.setString(9, sourceTable);
            if (up.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + tables
                + " (sync_name, source_table, target_schema, target_table, state, rows_copied, bytes_copied,"
                + " created_by_sync, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, " + now + ")")) {
            ins.setString(1, syncName);
            ins.setString(2, sourceTable);
            ins.setString(3, target.schema());
            ins.setString(4, target.table());
            ins.setString(5, state.label());
            ins.setLong(6, rows);
            ins.setLong(7, bytes);
            ins.setBoolean(8, createdBySync);
            ins.setString(9, error);
            ins.executeUpdate();
        }
    }

    /**
     * Moves a table already recorded to the error state with {@code error} (one line, no row values), keeping its
     * counters; returns false when the table has no row yet.
     */
    public boolean setError(Connection c, String sourceTable, String error) throws SQLException {
        return moveTo(c, sourceTable, TableState.ERROR, error);
    }

    /** Records {@code sourceTable} {@link TableState#REMOVED}, keeping its counters and its row (the identity's). */
    public void setRemoved(Connection c, String sourceTable) throws SQLException {
        moveTo(c, sourceTable, TableState.REMOVED, null);
    }

    private boolean moveTo(Connection c, String sourceTable, TableState state, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + tables + " SET state = ?, error = ?, updated_at = "
                + now + " WHERE sync_name = ? AND source_table = ?")) {
            ps.setString(1, state.label());
            ps.setString(2, error);
            ps.setString(3, syncName);
            ps.setString(4, sourceTable);
            return ps.executeUpdate() > 0;
        }
    }

    /** Moves every table of the sync but those {@link TableState#REMOVED} to {@code state}, keeping its counters. */
    public void setAllStates(Connection c, TableState state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + tables
                + " SET state = ?, error = NULL, updated_at = " + now + " WHERE sync_name = ? AND state <> ?")) {
            ps.setString(1, state.label());
            ps.setString(2, syncName);
            ps.setString(3, TableState.REMOVED.label());
            ps.executeUpdate();
        }
    }

    /** The states of this sync's tables, by source table name. */
    public List<TableStatus> states(Connection c) throws SQLException {
        List<TableStatus> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, target_schema, target_table, state,"
                + " rows_copied, bytes_copied, created_by_sync, error, updated_at FROM " + tables
                + " WHERE sync_name = ? ORDER BY source_table")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableStatus(
                            rs.getString(1),
                            new TargetTable(rs.getString(2), rs.getString(3)),
                            TableState.ofLabel(rs.getString(4)),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getBoolean(7),
                            rs.getString(8),
                            instant(rs.getTimestamp(9))));
                }
            }
        }
        return out;
    }

    /** The marks of the block ranges a snapshot copy has committed ({@code copy_range}). */
    public CopyRanges copyRanges() {
        return new CopyRanges(dialect, schema, syncName);
    }

    /** The plan and marks of a chunked copy ({@code copy_chunk}). */
    public CopyChunks copyChunks() {
        return new CopyChunks(dialect, schema, syncName);
    }

    /**
     * Whether the catalog keeps copy marks: false where it was made by a release without {@code copy_range} and could
     * not be brought up to date ({@link #upgrade}).
     */
    public boolean keepsCopyRanges(Connection c) {
        return exists(c, dialect.catalogTable(schema, "copy_range"));
    }

    /** The sync's record of what it saw of the source ({@code source_state}). */
    public SourceStates sourceStates() {
        return new SourceStates(source, now, syncName);
    }

    /**
     * The first other sync the catalog records as writing each of {@code targets} (a row of {@code table_state} under
     * another name, not {@link TableState#REMOVED}), by target table; none where the catalog does not exist yet. Two syncs applying changes to one
     * table repeat or reorder each other's rows.
     */
    public Map<TargetTable, String> otherWriters(Connection c, Collection<TargetTable> targets) throws SQLException {
        Map<TargetTable, String> out = new LinkedHashMap<>();
        if (!exists(c, tables)) {
            return out;
        }
        Set<TargetTable> wanted = new HashSet<>(targets);
        try (PreparedStatement ps = c.prepareStatement("SELECT target_schema, target_table, sync_name FROM " + tables
                + " WHERE sync_name <> ? AND state <> ? ORDER BY sync_name, source_table")) {
            ps.setString(1, syncName);
            ps.setString(2, TableState.REMOVED.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TargetTable t = new TargetTable(rs.getString(1), rs.getString(2));
                    if (wanted.contains(t)) {
                        out.putIfAbsent(t, rs.getString(3));
                    }
                }
            }
        }
        return out;
    }

    /** The names of every sync recorded in the catalog at {@code schema}, or none if it does not exist. */
    public static List<String> syncNames(Connection c, Dialect dialect, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT sync_name FROM " + dialect.catalogTable(schema, "sync_progress")
                        + " ORDER BY sync_name")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * The catalog's tables, those a sync may lack first: {@code copy_chunk} exists only at PostgreSQL destinations,
     * {@code copy_range} and {@code source_state} only since the releases that added them.
     */
    private static final List<String> TABLES =
            List.of("copy_chunk", "copy_range", "source_state", "table_state", "sync_progress");

    private static final int OPTIONAL_TABLES = 3;

    /**
     * Deletes every record of this sync, each table in a transaction of its own and its position last, so that a
     * removal cut short leaves the sync listed ({@link #syncNames}) and can be run again.
     */
    public void remove(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            for (int i = 0; i < TABLES.size(); i++) {
                String table = dialect.catalogTable(schema, TABLES.get(i));
                if (i < OPTIONAL_TABLES && !exists(c, table)) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE sync_name = ?")) {
                    ps.setString(1, syncName);
                    ps.executeUpdate();
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Drops the catalog's tables, and its schema where it has one, when no sync is left in it; a schema that holds
     * anything else stays. Returns whether the tables were dropped.
     */
    public static boolean dropIfEmpty(Connection c, Dialect dialect, String schema) throws SQLException {
        if (!syncNames(c, dialect, schema).isEmpty()) {
            return false;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            for (String name : TABLES) {
                st.execute("DROP TABLE IF EXISTS " + dialect.catalogTable(schema, name));
            }
            Optional<String> dropSchema = dialect.dropCatalogSchema(schema);
            if (dropSchema.isPresent()) {
                try {
                    st.execute(dropSchema.get());
                } catch (SQLException e) {
                    // Something else lives in the schema (PostgreSQL: 2BP01): it is the user's, so it stays.
                }
            }
            return true;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Whether {@code table} (qualified) can be read: false for one that does not exist. */
    private static boolean exists(Connection c, String table) {
        try (Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
