package io.pgferry.verify.guard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Registration of tables for dirty tracking, through the SQL functions {@code syncguard.register_table} and
 * {@code syncguard.unregister_table} (so that SQL users and pgferry do exactly the same), and the per-table state
 * {@code pgferry guard status} shows.
 */
public final class Registrations {
    private Registrations() {}

    /**
     * Registers {@code schema.table} (or registers it again with a new layout, which starts a new sweep).
     *
     * @param bucketSize keys per bucket for a single integer key; null for the default (1000)
     * @param bucketCount number of hash buckets for any other key; null for the default (1024)
     * @return the table's id in {@code syncguard.monitored_tables}
     */
    public static int register(Connection c, String schema, String table, Long bucketSize, Integer bucketCount)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT syncguard.register_table(?, ?, ?, ?)")) {
            st.setString(1, schema);
            st.setString(2, table);
            if (bucketSize == null) {
                st.setNull(3, Types.BIGINT);
            } else {
                st.setLong(3, bucketSize);
            }
            if (bucketCount == null) {
                st.setNull(4, Types.INTEGER);
            } else {
                st.setInt(4, bucketCount);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Removes the table's triggers and catalog rows; false when it was not registered. */
    public static boolean unregister(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT syncguard.unregister_table(?, ?)")) {
            st.setString(1, schema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * One registered table's state.
     *
     * @param sweptAt when the initial (or last full) sweep finished; null while it has not
     * @param oldestDirty the age origin of the oldest unrecomputed change; null when nothing is dirty
     */
    public record TableState(
            String schema,
            String table,
            GuardedTable.Layout layout,
            long buckets,
            long rows,
            long dirtyBuckets,
            Instant oldestDirty,
            Instant sweptAt) {}

    /** The state of every registered table, by schema and name. */
    public static List<TableState> states(Connection c) throws SQLException {
        String sql = "SELECT m.schema_name, m.table_name, m.bucket_mode, m.bucket_size, m.bucket_count,"
                + " (SELECT count(*) FROM syncguard.bucket_catalog b WHERE b.table_id = m.table_id),"
                + " (SELECT coalesce(sum(row_count), 0) FROM syncguard.bucket_catalog b WHERE b.table_id = m.table_id),"
                + " (SELECT count(DISTINCT bucket_id) FROM syncguard.dirty_buckets d WHERE d.table_id = m.table_id),"
                + " (SELECT min(dirty_since) FROM syncguard.dirty_buckets d WHERE d.table_id = m.table_id),"
                + " s.swept_at"
                + " FROM syncguard.monitored_tables m LEFT JOIN syncguard.sweep_state s USING (table_id)"
                + " ORDER BY m.schema_name, m.table_name";
        List<TableState> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new TableState(
                        rs.getString(1),
                        rs.getString(2),
                        GuardedTable.Layout.read(rs, 3),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        instant(rs, 9),
                        instant(rs, 10)));
            }
        }
        return out;
    }

    /** Workers whose heartbeat is at most {@code seconds} old. */
    public static long liveWorkers(Connection c, int seconds) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM syncguard.worker_state"
                + " WHERE heartbeat_at > now() - make_interval(secs => ?)")) {
            st.setInt(1, seconds);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
