package io.pgferry.verify.guard;

import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.TreeMap;

/** Test helpers: install syncguard in a test database and read its catalog. */
final class Guarded {
    private Guarded() {}

    static Dsn dsn(TestDatabase db) {
        return Dsn.parse(db.uri());
    }

    static void install(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            GuardSchema.install(c);
        }
    }

    static int register(TestDatabase db, String table, Long bucketSize, Integer bucketCount) throws SQLException {
        try (Connection c = db.connect()) {
            return Registrations.register(c, "public", table, bucketSize, bucketCount);
        }
    }

    static GuardWorker.Totals drain(TestDatabase db) {
        return GuardWorker.drain(List.of(dsn(db)));
    }

    /** bucket id → "rows/hash" of one table's catalog. */
    static TreeMap<Long, String> catalog(TestDatabase db, String table) throws SQLException {
        TreeMap<Long, String> out = new TreeMap<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT bucket_id, row_count, bucket_hash FROM syncguard.buckets"
                        + " WHERE schema_name = 'public' AND table_name = '" + table + "'")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2) + "/" + rs.getLong(3));
            }
        }
        return out;
    }

    /** Distinct dirty buckets of a table. */
    static List<Long> dirty(TestDatabase db, String table) throws SQLException {
        List<Long> out = new java.util.ArrayList<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT DISTINCT d.bucket_id FROM syncguard.dirty_buckets d"
                        + " JOIN syncguard.monitored_tables m USING (table_id) WHERE m.table_name = '" + table
                        + "' ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** The catalog a fresh full sweep gives: registers the table again (new layout, same arguments), drains. */
    static TreeMap<Long, String> resweep(TestDatabase db, String table, Long bucketSize, Integer bucketCount)
            throws SQLException {
        register(db, table, bucketSize, bucketCount);
        drain(db);
        return catalog(db, table);
    }
}
