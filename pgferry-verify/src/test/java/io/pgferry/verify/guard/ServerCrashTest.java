package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #6, defect 7: the seed's worker was not restarted after a server restart. A running worker whose server
 * crashes (the UNLOGGED catalog comes back empty) reconnects, sweeps again and keeps up with new writes, without
 * being restarted itself. Runs on a server of its own, since it crashes it.
 */
@Tag("pg")
@Tag("verify")
class ServerCrashTest {

    @Test
    void aRunningWorkerSurvivesACrashOfItsServer() throws Exception {
        // Commits reach the WAL (in the OS cache) before they are acknowledged, so a crash of PostgreSQL alone loses
        // none of them: fsync stays off for speed, synchronous_commit is on.
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .fsync(false)
                .setting("synchronous_commit", "on")
                .start()) {
            Dsn dsn = Dsn.parse(pg.uri("postgres"));
            execute(
                    pg,
                    "CREATE TABLE t (id int PRIMARY KEY, v int)",
                    "INSERT INTO t SELECT i, 0 FROM generate_series(1, 5000) i");
            try (Connection c = connect(pg)) {
                GuardSchema.install(c);
                Registrations.register(c, "public", "t", 100L, null);
            }
            TreeMap<Long, String> before;
            TreeMap<Long, String> after;
            try (GuardWorker worker = new GuardWorker(List.of(dsn), Duration.ofMillis(20))) {
                worker.start();
                await(pg, "SELECT count(*) = 1 FROM syncguard.sweep_state");
                before = catalog(pg);
                assertThat(before).hasSize(51);

                pg.crashAndRestart();
                assertThat(query(pg, "SELECT count(*) FROM syncguard.bucket_catalog"))
                        .isIn("0", "51");
                execute(pg, "UPDATE t SET v = 1 WHERE id % 100 = 7", "DELETE FROM t WHERE id > 4950");
                await(pg, "SELECT count(*) = 1 FROM syncguard.sweep_state");
                await(pg, "SELECT count(*) = 0 FROM syncguard.dirty_buckets");
                after = catalog(pg);
            }
            // A fresh sweep, once the worker is gone (it would hold the table while the sweep tries to start).
            execute(pg, "SELECT syncguard.register_table('public', 't', 100)");
            GuardWorker.drain(List.of(dsn));
            assertThat(catalog(pg)).isEqualTo(after).isNotEqualTo(before);
        }
    }

    private static Connection connect(EmbeddedPostgres pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties());
    }

    private static void execute(EmbeddedPostgres pg, String... sql) throws SQLException {
        try (Connection c = connect(pg);
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static String query(EmbeddedPostgres pg, String sql) throws SQLException {
        try (Connection c = connect(pg);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static TreeMap<Long, String> catalog(EmbeddedPostgres pg) throws SQLException {
        TreeMap<Long, String> out = new TreeMap<>();
        try (Connection c = connect(pg);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT bucket_id, row_count, bucket_hash FROM syncguard.bucket_catalog")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2) + "/" + rs.getLong(3));
            }
        }
        return out;
    }

    /** Waits, with a deadline, until {@code sql} (one boolean) holds; a server still recovering counts as not yet. */
    private static void await(EmbeddedPostgres pg, String sql) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if ("t".equals(query(pg, sql))) {
                    return;
                }
            } catch (SQLException e) {
                // not accepting connections yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + sql);
            }
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }
}
