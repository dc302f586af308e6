package io.pgferry.verify.guard;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A registered table as the worker and verify see it, with the SQL expressions the database derived for it. The
 * expressions use the alias {@code r} and must run under {@link HashSettings}.
 *
 * @param relation the table as a quoted, schema-qualified name (or null when it was dropped)
 * @param bucketExpression the bucket of row {@code r}
 * @param rowHashExpression the 64-bit canonical hash of row {@code r}
 * @param currentKey the table's primary key today, null when it has none; differs from {@code keyColumns} when the
 *     key changed after registration
 */
public record GuardedTable(
        int tableId,
        String schema,
        String table,
        List<String> keyColumns,
        Layout layout,
        String relation,
        String bucketExpression,
        String rowHashExpression,
        String columnFingerprint,
        List<String> columnNames,
        List<String> currentKey) {

    /** How keys map to buckets; equal layouts on two sides mean equal bucket ids for equal rows. */
    public record Layout(String mode, Long bucketSize, Integer bucketCount) {
        /** Reads mode, bucket_size and bucket_count from three consecutive columns starting at {@code first}. */
        static Layout read(ResultSet rs, int first) throws SQLException {
            String mode = rs.getString(first);
            long size = rs.getLong(first + 1);
            Long bucketSize = rs.wasNull() ? null : size;
            int count = rs.getInt(first + 2);
            Integer bucketCount = rs.wasNull() ? null : count;
            return new Layout(mode, bucketSize, bucketCount);
        }

        public boolean isRange() {
            return mode.equals("range");
        }

        @Override
        public String toString() {
            return isRange() ? "key range of " + bucketSize : "key hash into " + bucketCount + " buckets";
        }
    }

    /** Whether the table still exists with the key it was registered with. */
    public boolean usable() {
        return relation != null && rowHashExpression != null && keyColumns.equals(currentKey);
    }

    /** Why the table cannot be worked on, when not {@link #usable()}. */
    public Optional<String> problem() {
        if (relation == null || rowHashExpression == null) {
            return Optional.of(
                    "it was dropped; unregister it (syncguard.unregister_table, or pgferry guard unregister)");
        }
        if (!keyColumns.equals(currentKey)) {
            return Optional.of("its primary key changed from " + keyColumns + " to " + currentKey
                    + "; register it again (syncguard.register_table, or pgferry guard register)");
        }
        return Optional.empty();
    }

    public String qualifiedName() {
        return schema + "." + table;
    }

    /**
     * Count and 64-bit hash of the given buckets straight from the table, as (bucket, count, hash) for the non-empty
     * ones: what a worker would write, without writing it. The session must have {@link HashSettings} pinned.
     */
    public List<long[]> hashBuckets(Connection c, Long[] buckets) throws SQLException {
        return new BucketRecompute(c).hash(this, buckets);
    }

    /** Every registered table of the database, by schema and name; names are updated first to follow renames. */
    public static List<GuardedTable> load(Connection c) throws SQLException {
        refreshNames(c);
        return read(c);
    }

    private static void refreshNames(Connection c) throws SQLException {
        try (PreparedStatement refresh = c.prepareStatement(
                "UPDATE syncguard.monitored_tables m SET schema_name = n.nspname, table_name = k.relname"
                        + " FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
                        + " WHERE k.oid = m.relid AND (m.schema_name, m.table_name) <> (n.nspname, k.relname)")) {
            refresh.executeUpdate();
        }
    }

    /** Every registered table of the database, by schema and name, without writing anything. */
    public static List<GuardedTable> read(Connection c) throws SQLException {
        String sql = "SELECT m.table_id, m.schema_name, m.table_name, m.key_columns, m.bucket_mode, m.bucket_size,"
                + " m.bucket_count, k.oid::regclass::text,"
                + " CASE WHEN k.oid IS NOT NULL THEN syncguard.bucket_expression(m.table_id, 'r') END,"
                + " (SELECT array_agg(a.atttypid::bigint ORDER BY a.attname COLLATE \"C\")"
                + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped),"
                + " syncguard.column_fingerprint(k.oid), syncguard.column_names(k.oid),"
                + " syncguard.primary_key(k.oid)"
                + " FROM syncguard.monitored_tables m LEFT JOIN pg_catalog.pg_class k ON k.oid = m.relid"
                + " ORDER BY m.schema_name, m.table_name";
        List<GuardedTable> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                List<String> names = strings(rs.getArray(12));
                Array types = rs.getArray(10);
                out.add(new GuardedTable(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        strings(rs.getArray(4)),
                        Layout.read(rs, 5),
                        rs.getString(8),
                        rs.getString(9),
                        types == null ? null : RowHashes.expression(names, List.of((Long[]) types.getArray())),
                        rs.getString(11),
                        names,
                        strings(rs.getArray(13))));
            }
        }
        return out;
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        return List.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
