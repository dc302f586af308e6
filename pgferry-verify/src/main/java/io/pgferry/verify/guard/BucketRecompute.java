package io.pgferry.verify.guard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings the bucket catalog of one database current: full sweeps of tables not swept yet, then dirty buckets,
 * oldest first. The connection must have {@link HashSettings} pinned and auto-commit on; each unit of work is one
 * transaction of its own.
 *
 * <p>Why no change is lost: a batch claims buckets, then deletes their dirty rows that its statement can see
 * (committed), then hashes the buckets in a later statement, whose snapshot therefore sees every change those rows
 * stood for. A writer still in flight has an invisible dirty row that survives the delete, so its bucket stays
 * dirty. Two workers never hash the same bucket at once: a bucket is claimed with a transaction advisory try-lock
 * (skip what another worker holds), and a sweep holds its table's lock exclusively while batches hold it shared.
 */
final class BucketRecompute {
    /** The first key of the two-key advisory locks on tables ('SGRD'; register_table and unregister_table wait on it). */
    private static final int TABLE_LOCK_CLASS = 0x53475244;
    /** Buckets per transaction for range-bucketed tables; each is one index range scan. */
    static final int RANGE_BATCH = 256;

    private final Connection c;
    private final SweepScan scan;

    /** For batches and live hashes only: a sweep scans on {@code c} alone. */
    BucketRecompute(Connection c) {
        this(c, new SweepScan(null, 1));
    }

    BucketRecompute(Connection c, SweepScan scan) {
        this.c = c;
        this.scan = scan;
    }

    /** The tables whose catalog is incomplete: never swept since registration or a crash, or columns changed. */
    List<GuardedTable> needingSweep(List<GuardedTable> tables) throws SQLException {
        Map<Integer, String> swept = new HashMap<>();
        try (PreparedStatement st =
                        c.prepareStatement("SELECT table_id, column_fingerprint FROM syncguard.sweep_state");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                swept.put(rs.getInt(1), rs.getString(2));
            }
        }
        List<GuardedTable> out = new ArrayList<>();
        for (GuardedTable t : tables) {
            if (t.usable() && !t.columnFingerprint().equals(swept.get(t.tableId()))) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Recomputes every bucket of {@code t} in one scan and records the sweep.
     *
     * @return the number of buckets written, or -1 when another worker is sweeping or recomputing the table
     */
    int sweep(GuardedTable t) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (!tableLock(t, true)) {
                c.rollback();
                return -1;
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM syncguard.dirty_buckets WHERE table_id = ?")) {
                st.setInt(1, t.tableId());
                st.executeUpdate();
            }
            Instant at = databaseTime();
            List<long[]> rows = scan.buckets(c, t);
            try (PreparedStatement st = c.prepareStatement("DELETE FROM syncguard.bucket_catalog WHERE table_id = ?"
                    + " AND NOT (bucket_id = ANY (?::bigint[]))")) {
                st.setInt(1, t.tableId());
                st.setArray(2, c.createArrayOf("bigint", column(rows, 0)));
                st.executeUpdate();
            }
            write(t, rows, at);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO syncguard.sweep_state"
                    + " (table_id, column_fingerprint, column_names, swept_at) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (table_id) DO UPDATE SET column_fingerprint = excluded.column_fingerprint,"
                    + " column_names = excluded.column_names, swept_at = excluded.swept_at")) {
                st.setInt(1, t.tableId());
                st.setString(2, t.columnFingerprint());
                st.setArray(3, c.createArrayOf("text", t.columnNames().toArray()));
                st.setTimestamp(4, Timestamp.from(at));
                st.executeUpdate();
            }
            c.commit();
            return rows.size();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Recomputes up to one batch of the oldest dirty buckets of {@code t}.
     *
     * @param dirtyBefore when not null, only buckets dirty since before this instant (for a run that drains what was
     *     dirty when it started)
     * @return the number of buckets recomputed (0 when none was dirty or all were claimed by other workers)
     */
    int recomputeDirty(GuardedTable t, Instant dirtyBefore) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (!tableLock(t, false)) {
                c.rollback();
                return 0;
            }
            int limit = t.layout().isRange() ? RANGE_BATCH : t.layout().bucketCount();
            Long[] candidates;
            try (PreparedStatement st = c.prepareStatement("SELECT bucket_id FROM syncguard.dirty_buckets"
                    + " WHERE table_id = ? AND (?::timestamptz IS NULL OR dirty_since < ?)"
                    + " GROUP BY bucket_id ORDER BY min(dirty_since), bucket_id LIMIT ?")) {
                st.setInt(1, t.tableId());
                Timestamp before = dirtyBefore == null ? null : Timestamp.from(dirtyBefore);
                st.setTimestamp(2, before);
                st.setTimestamp(3, before);
                st.setInt(4, limit);
                candidates = longs(st);
            }
            if (candidates.length == 0) {
                c.rollback();
                return 0;
            }
            Long[] claimed;
            try (PreparedStatement st = c.prepareStatement("SELECT b FROM unnest(?::bigint[]) AS u(b)"
                    + " WHERE pg_try_advisory_xact_lock(hashtextextended(?::text || '/' || u.b::text, 0))")) {
                st.setArray(1, c.createArrayOf("bigint", candidates));
                st.setInt(2, t.tableId());
                claimed = longs(st);
            }
            if (claimed.length == 0) {
                c.rollback();
                return 0;
            }
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM syncguard.dirty_buckets" + " WHERE table_id = ? AND bucket_id = ANY (?::bigint[])")) {
                st.setInt(1, t.tableId());
                st.setArray(2, c.createArrayOf("bigint", claimed));
                st.executeUpdate();
            }
            Instant at = databaseTime();
            List<long[]> rows = hash(t, claimed);
            try (PreparedStatement st = c.prepareStatement("DELETE FROM syncguard.bucket_catalog WHERE table_id = ?"
                    + " AND bucket_id = ANY (?::bigint[]) AND NOT (bucket_id = ANY (?::bigint[]))")) {
                st.setInt(1, t.tableId());
                st.setArray(2, c.createArrayOf("bigint", claimed));
                st.setArray(3, c.createArrayOf("bigint", column(rows, 0)));
                st.executeUpdate();
            }
            write(t, rows, at);
            c.commit();
            return claimed.length;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Count and hash of the given buckets, straight from the table: (bucket, count, hash), non-empty ones only. */
    List<long[]> hash(GuardedTable t, Long[] buckets) throws SQLException {
        String sql;
        if (t.layout().isRange()) {
            long size = t.layout().bucketSize();
            String key = "r."
                    + io.pgferry.postgres.catalog.Identifiers.quote(
                            t.keyColumns().get(0));
            sql = "SELECT b.id, x.n, x.h FROM unnest(?::bigint[]) AS b(id) CROSS JOIN LATERAL (SELECT count(*) AS n,"
                    + " syncguard.wrap64(" + RowHashes.sum("s.h") + ") AS h FROM (SELECT "
                    + t.rowHashExpression() + " AS h FROM " + t.relation() + " r"
                    + " WHERE " + key + " BETWEEN greatest(b.id::numeric * " + size
                    + ", -9223372036854775808)::bigint AND least(b.id::numeric * " + size + " + " + (size - 1)
                    + ", 9223372036854775807)::bigint OFFSET 0) s) x WHERE x.n > 0";
        } else {
            sql = "SELECT s.b, count(*), syncguard.wrap64(" + RowHashes.sum("s.h") + ") FROM (SELECT "
                    + t.bucketExpression() + " AS b, " + t.rowHashExpression() + " AS h FROM " + t.relation()
                    + " r OFFSET 0) s WHERE s.b = ANY (?::bigint[]) GROUP BY s.b";
        }
        // In a worker's transaction for the rest of it; on verify's own session (autocommit) for the session.
        RowHashes.planGrouping(c, !c.getAutoCommit());
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("bigint", buckets));
            return rows(st);
        }
    }

    private void write(GuardedTable t, List<long[]> rows, Instant at) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO syncguard.bucket_catalog"
                + " (table_id, bucket_id, row_count, bucket_hash, last_computed_at)"
                + " SELECT ?, u.b, u.n, u.h, ? FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS u(b, n, h)"
                + " ON CONFLICT (table_id, bucket_id) DO UPDATE SET row_count = excluded.row_count,"
                + " bucket_hash = excluded.bucket_hash, last_computed_at = excluded.last_computed_at")) {
            st.setInt(1, t.tableId());
            st.setTimestamp(2, Timestamp.from(at));
            st.setArray(3, c.createArrayOf("bigint", column(rows, 0)));
            st.setArray(4, c.createArrayOf("bigint", column(rows, 1)));
            st.setArray(5, c.createArrayOf("bigint", column(rows, 2)));
            st.executeUpdate();
        }
    }

    private boolean tableLock(GuardedTable t, boolean exclusive) throws SQLException {
        String fn = exclusive ? "pg_try_advisory_xact_lock" : "pg_try_advisory_xact_lock_shared";
        try (PreparedStatement st = c.prepareStatement("SELECT " + fn + "(?, ?)")) {
            st.setInt(1, TABLE_LOCK_CLASS);
            st.setInt(2, t.tableId());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The database's clock: catalog times are compared with other database times, never with this JVM's. */
    private Instant databaseTime() throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT clock_timestamp()");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static List<long[]> rows(PreparedStatement st) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
            }
        }
        return out;
    }

    private static Long[] longs(PreparedStatement st) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out.toArray(Long[]::new);
    }

    private static Long[] column(List<long[]> rows, int i) {
        Long[] out = new Long[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = rows.get(r)[i];
        }
        return out;
    }
}
