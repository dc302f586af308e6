package io.pgferry.verify.compare;

import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardedTable;
import io.pgferry.verify.guard.HashSettings;
import io.pgferry.verify.guard.Registrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One side of a comparison: a connection with the hash settings pinned, and reads of its syncguard catalog. */
final class Side implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Side.class);
    final String role;
    final Dsn dsn;
    private final Connection c;

    private Side(String role, Dsn dsn, Connection c) {
        this.role = role;
        this.dsn = dsn;
        this.c = c;
    }

    static Side open(String role, Dsn dsn) {
        Connection c = Connections.open(dsn);
        try {
            GuardSchema.requireCurrent(c, "the " + role + " (database " + dsn.dbname() + ")");
            HashSettings.pin(c);
            return new Side(role, dsn, c);
        } catch (SQLException e) {
            close(c);
            throw Connections.classify(e, dsn);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    /**
     * A statement that failed on one side: carries that side's DSN, so that the error names the server it happened on
     * (a publisher's error reported with the subscriber's host sends the reader to the wrong server).
     */
    static final class Failure extends SQLException {
        private static final long serialVersionUID = 1L;
        final String role;
        final transient Dsn dsn;

        Failure(String role, Dsn dsn, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
            this.role = role;
            this.dsn = dsn;
        }

        SQLException cause() {
            return (SQLException) getCause();
        }
    }

    private interface Read<T> {
        T run() throws SQLException;
    }

    /** Runs a read of this side's catalog; its SQL failure becomes this side's {@link Failure}. */
    private <T> T onThisSide(Read<T> read) throws Failure {
        try {
            return read.run();
        } catch (SQLException e) {
            throw new Failure(role, dsn, e);
        }
    }

    /** Registered tables by "schema.table". */
    Map<String, GuardedTable> tables() throws SQLException {
        return onThisSide(() -> {
            Map<String, GuardedTable> out = new LinkedHashMap<>();
            for (GuardedTable t : GuardedTable.read(c)) {
                out.put(t.qualifiedName(), t);
            }
            return out;
        });
    }

    /** Hashed column names of each swept table, by table id; a table missing here has not been swept. */
    Map<Integer, List<String>> sweptColumns() throws SQLException {
        return onThisSide(() -> {
            Map<Integer, List<String>> out = new HashMap<>();
            try (PreparedStatement st = c.prepareStatement("SELECT table_id, column_names FROM syncguard.sweep_state");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), List.of((String[]) rs.getArray(2).getArray()));
                }
            }
            return out;
        });
    }

    /** Every bucket of the table the catalog or the dirty log knows, with its dirty state. */
    Map<Long, BucketState> read(GuardedTable t) throws SQLException {
        return onThisSide(() -> {
            Map<Long, BucketState> out = new HashMap<>();
            try (PreparedStatement st = c.prepareStatement("SELECT coalesce(k.bucket_id, d.bucket_id), k.row_count,"
                    + " k.bucket_hash, k.last_computed_at, d.dirty_since"
                    + " FROM (SELECT * FROM syncguard.bucket_catalog WHERE table_id = ?) k FULL JOIN"
                    + " (SELECT bucket_id, min(dirty_since) AS dirty_since FROM syncguard.dirty_buckets"
                    + " WHERE table_id = ? GROUP BY bucket_id) d ON d.bucket_id = k.bucket_id")) {
                st.setInt(1, t.tableId());
                st.setInt(2, t.tableId());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        long rows = rs.getLong(2);
                        boolean present = !rs.wasNull();
                        out.put(id, new BucketState(id, present, rows, rs.getLong(3), instant(rs, 4), instant(rs, 5)));
                    }
                }
            }
            return out;
        });
    }

    Instant now() throws SQLException {
        return onThisSide(() -> {
            try (PreparedStatement st = c.prepareStatement("SELECT clock_timestamp()");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        });
    }

    boolean hasLiveWorker() throws SQLException {
        return onThisSide(() -> {
            return Registrations.liveWorkers(c, 10) > 0;
        });
    }

    /**
     * Of these tables, those whose catalog hashes other columns than the table now has (a column added or dropped
     * since the last sweep), until the worker sweeps them again.
     */
    long unswept(List<GuardedTable> tables) throws SQLException {
        return onThisSide(() -> {
            Integer[] ids = tables.stream()
                    .filter(GuardedTable::usable)
                    .map(GuardedTable::tableId)
                    .toArray(Integer[]::new);
            try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM syncguard.monitored_tables m"
                    + " LEFT JOIN syncguard.sweep_state s ON s.table_id = m.table_id WHERE m.table_id = ANY (?::integer[])"
                    + " AND s.column_fingerprint IS DISTINCT FROM syncguard.column_fingerprint(m.relid)")) {
                st.setArray(1, c.createArrayOf("integer", ids));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Dirty-log rows of these tables older than {@code before}: changes the catalog does not reflect yet. */
    long dirtyBefore(List<GuardedTable> tables, Instant before) throws SQLException {
        return onThisSide(() -> {
            Integer[] ids = tables.stream().map(GuardedTable::tableId).toArray(Integer[]::new);
            try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM syncguard.dirty_buckets"
                    + " WHERE table_id = ANY (?::integer[]) AND dirty_since < ?")) {
                st.setArray(1, c.createArrayOf("integer", ids));
                st.setTimestamp(2, Timestamp.from(before));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Count and hash of buckets straight from the table. */
    Map<Long, BucketState> live(GuardedTable t, List<Long> buckets) throws SQLException {
        return onThisSide(() -> {
            Map<Long, BucketState> out = new HashMap<>();
            for (long b : buckets) {
                out.put(b, BucketState.live(b, 0, 0));
            }
            for (long[] r : t.hashBuckets(c, buckets.toArray(Long[]::new))) {
                out.put(r[0], BucketState.live(r[0], r[1], r[2]));
            }
            return out;
        });
    }

    /** The slots of the subscriptions and pgferry syncs whose target is this database. */
    List<String> subscriptionSlots() throws SQLException {
        return onThisSide(() -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT s.subslotname FROM pg_catalog.pg_subscription s"
                            + " JOIN pg_catalog.pg_database d ON d.oid = s.subdbid"
                            + " WHERE d.datname = current_database() AND s.subenabled AND s.subslotname IS NOT NULL");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            boolean sync;
            try (PreparedStatement st = c.prepareStatement("SELECT to_regclass('pgferry.sync_progress') IS NOT NULL");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                sync = rs.getBoolean(1);
            }
            if (sync) {
                try (PreparedStatement st = c.prepareStatement("SELECT sync_name FROM pgferry.sync_progress");
                        ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Tables of this database's enabled subscriptions with one of {@code slots} that are still in their initial copy (states i, d and f of
     * pg_subscription_rel). A table sync worker applies such a table's changes from a slot of its own, while the
     * subscription's slot confirms past them, so the confirmed position says nothing about that table until it is
     * synchronized (state s, then r; PostgreSQL docs, "pg_subscription_rel").
     */
    List<String> tablesInInitialCopy(List<String> slots) throws SQLException {
        return onThisSide(() -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT sr.srrelid::regclass::text"
                    + " FROM pg_catalog.pg_subscription_rel sr"
                    + " JOIN pg_catalog.pg_subscription s ON s.oid = sr.srsubid"
                    + " JOIN pg_catalog.pg_database d ON d.oid = s.subdbid"
                    + " WHERE d.datname = current_database() AND s.subenabled AND sr.srsubstate NOT IN ('s', 'r')"
                    + " AND s.subslotname = ANY (?::text[]) ORDER BY 1")) {
                st.setArray(1, c.createArrayOf("text", slots.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The end of the WAL inserted so far on the publisher, followed by a small WAL message so that a walsender has a
     * record past it. The insert position, not {@code pg_current_wal_lsn()}: that is the position written so far, and
     * the commit record of a transaction committed with {@code synchronous_commit = off} may still be in WAL buffers
     * past it, so a barrier there could pass before that transaction reached the subscriber (PostgreSQL docs,
     * "Asynchronous Commit" and "System Administration Functions"). The walsender sends it once the WAL writer has
     * flushed it, within {@code wal_writer_delay}.
     */
    long walPosition() throws SQLException {
        return onThisSide(() -> {
            long lsn;
            try (PreparedStatement st = c.prepareStatement("SELECT pg_current_wal_insert_lsn() - '0/0'");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                lsn = rs.getLong(1);
            }
            try (PreparedStatement st =
                    c.prepareStatement("SELECT pg_logical_emit_message(false, 'pgferry.verify', '')")) {
                st.execute();
            } catch (SQLException e) {
                // Without the right to write the message, the barrier still completes, only at the next keepalive
                // (autocommit: nothing is left aborted).
                LOG.debug("no WAL message for the barrier on the {}: {}", role, e.getMessage());
            }
            return lsn;
        });
    }

    /**
     * Those of {@code slots} that are logical slots of this side's database: the subscriber's subscriptions and syncs
     * that read from it. Another's slot lives at another server or database, whose WAL positions say nothing about
     * this one's (regression, issue 6: with a second publisher, the barrier waited for its slot at this one, and
     * timed out).
     */
    List<String> slotsOfThisDatabase(List<String> slots) throws SQLException {
        return onThisSide(() -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT slot_name FROM pg_catalog.pg_replication_slots"
                    + " WHERE slot_type = 'logical' AND database = current_database() AND slot_name = ANY (?::text[])"
                    + " ORDER BY 1")) {
                st.setArray(1, c.createArrayOf("text", slots.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Whether every slot has confirmed {@code lsn}; each slot's confirmed position, by name, goes in {@code
     * positions} (missing slots are absent).
     */
    boolean slotsConfirmed(List<String> slots, long lsn, Map<String, Long> positions) throws SQLException {
        return onThisSide(() -> {
            positions.clear();
            try (PreparedStatement st = c.prepareStatement("SELECT slot_name, coalesce(confirmed_flush_lsn - '0/0', 0)"
                    + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ANY (?::text[])")) {
                st.setArray(1, c.createArrayOf("text", slots.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return positions.size() == slots.size()
                    && positions.values().stream().allMatch(p -> p >= lsn);
        });
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() {
        close(c);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // closing a connection we are done with
        }
    }
}
