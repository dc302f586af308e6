package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for issue 5: each worker of a snapshot copy read every range it took in one transaction of its
 * source session, which holds a lock on each relation read until it ends, so a source of some thousands of tables
 * failed the copy with "out of shared memory" (the source's lock table, {@code max_locks_per_transaction} times the
 * sessions, 6,400 locks by default). A worker now begins a new transaction in the same snapshot every few ranges.
 * The source here has the smallest lock table PostgreSQL allows, which a few hundred tables overflow.
 */
@PgTest
class SnapshotRenewalTest {
    private static final int TABLES = 300;

    private static PostgresServer server;
    private static TestDatabase source;

    @BeforeAll
    static void startSource() throws SQLException {
        server = PostgresServer.startPrivate(Map.of(
                "max_locks_per_transaction", "10",
                "max_connections", "20",
                "max_prepared_transactions", "0",
                "max_wal_senders", "4",
                "max_replication_slots", "4",
                "max_worker_processes", "2",
                "autovacuum_max_workers", "1"));
        source = TestDatabase.create(server);
        List<String> ddl = new ArrayList<>();
        for (int i = 0; i < TABLES; i++) {
            ddl.add("CREATE TABLE t" + i + " (id int PRIMARY KEY, note text)");
            ddl.add("CREATE INDEX t" + i + "_note ON t" + i + " (note)");
            ddl.add("INSERT INTO t" + i + " SELECT g, 'n' || g FROM generate_series(1, " + (1 + i % 5) + ") g");
        }
        source.execute(ddl.toArray(String[]::new));
    }

    @AfterAll
    static void stopSource() throws SQLException {
        source.close();
        server.embedded().close();
    }

    private static SyncConfig.Builder config(String slot) {
        return SyncConfig.builder().source(source.uri()).slot(slot).untilCaughtUp(true);
    }

    /** The rows of t0..t{TABLES-1} whose note matches their key, read with {@code c}. */
    private static long rows(Connection c) throws SQLException {
        long rows = 0;
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < TABLES; i++) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t" + i + " WHERE note = 'n' || id")) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }

    @Test
    void aSnapshotCopyOfMoreTablesThanOneSourceTransactionCanLockEndsComplete() throws Exception {
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(config("renewal").target(target.uri()).build()).run();
            try (Connection c = target.connect()) {
                assertThat(rows(c)).isEqualTo(3L * TABLES);
            }
        }
    }

    @Test
    void soDoesOneIntoAnotherDestination() throws Exception {
        Path file = Files.createTempDirectory("pgferry-renewal").resolve("target.db");
        new SyncEngine(config("renewal_sqlite")
                        .target(JdbcTargetUri.parse("sqlite:" + file, Map.of()))
                        .build())
                .run();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(rows(c)).isEqualTo(3L * TABLES);
        }
    }
}
