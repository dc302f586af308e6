package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for issue 5: the sync created every target table in one transaction (and rehearsed their builds
 * in another), each table holding its locks until commit, so a schema of some thousands of tables failed at the
 * start with "out of shared memory" (the target's lock table, {@code max_locks_per_transaction} times the sessions,
 * 6,400 locks by default). The target here has the smallest lock table PostgreSQL allows, which a few hundred tables
 * overflow in one transaction.
 */
@PgTest
class ManyTablesTest {
    private static final int TABLES = 300;

    private static PostgresServer target;

    @BeforeAll
    static void startTarget() {
        target = PostgresServer.startPrivate(Map.of(
                "max_locks_per_transaction", "10",
                "max_connections", "20",
                "max_prepared_transactions", "0",
                "max_wal_senders", "2",
                "max_replication_slots", "2",
                "max_worker_processes", "2",
                "autovacuum_max_workers", "1"));
    }

    @AfterAll
    static void stopTarget() {
        target.embedded().close();
    }

    private static SyncConfig config(TestDatabase source, TestDatabase dst, String copyMode) {
        return SyncConfig.builder()
                .source(source.uri())
                .target(dst.uri())
                .slot("many")
                .copyMode(CopyMode.valueOf(copyMode.toUpperCase(Locale.ROOT)))
                .untilCaughtUp(true)
                .build();
    }

    /** Tables t0..t{TABLES-1}, each with a key, an index, a text column and a foreign key to the one before. */
    private static void createTables(TestDatabase source) throws SQLException {
        List<String> ddl = new ArrayList<>();
        for (int i = 0; i < TABLES; i++) {
            ddl.add("CREATE TABLE t" + i + " (id int PRIMARY KEY, up int" + (i == 0 ? "" : " REFERENCES t" + (i - 1))
                    + ", note text)");
            ddl.add("CREATE INDEX t" + i + "_note ON t" + i + " (note)");
            ddl.add("INSERT INTO t" + i + " SELECT g, " + (i == 0 ? "NULL" : "1") + ", 'n' || g"
                    + " FROM generate_series(1, " + (1 + i % 5) + ") g");
        }
        source.execute(ddl.toArray(String[]::new));
    }

    private static void assertSynced(TestDatabase dst) throws SQLException {
        assertThat(dst.queryLong("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"))
                .isEqualTo(2L * TABLES);
        assertThat(dst.queryLong("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"))
                .isEqualTo(TABLES - 1);
        long rows = 0;
        for (int i = 0; i < TABLES; i++) {
            rows += dst.queryLong("SELECT count(*) FROM t" + i + " WHERE note = 'n' || id");
        }
        assertThat(rows).isEqualTo(3L * TABLES);
    }

    /** Has the target run {@code action} when table t99 is created after the sync's catalog exists. */
    private static void atTableT99(TestDatabase dst, String action) throws SQLException {
        dst.execute(
                "CREATE FUNCTION at_t99() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1"
                        + " FROM pg_event_trigger_ddl_commands() WHERE object_identity = 'public.t99')"
                        + " AND to_regclass('pgferry.table_state') IS NOT NULL THEN " + action + "; END IF; END $$",
                "CREATE EVENT TRIGGER at_t99 ON ddl_command_end WHEN TAG IN ('CREATE TABLE')"
                        + " EXECUTE FUNCTION at_t99()");
    }

    /** In a chunked copy, whose keys are built before the copy; the cut creation below ends in a snapshot copy. */
    @Test
    void moreTablesThanOneTransactionOfTheTargetCanLockAreCreatedAndCopied(TestDatabase source) throws Exception {
        createTables(source);
        try (TestDatabase dst = TestDatabase.create(target)) {
            new SyncEngine(config(source, dst, "chunked")).run();
            assertSynced(dst);
        }
    }

    /**
     * A creation cut short, here by the target ending the session when table t99 is made (after some committed
     * transactions of tables), leaves the tables it made recorded as the sync's own: the next start drops them and
     * creates them again, and the copy ends complete.
     */
    @Test
    void aCreationCutShortIsStartedOverByTheNextRun(TestDatabase source) throws Exception {
        createTables(source);
        try (TestDatabase dst = TestDatabase.create(target)) {
            atTableT99(dst, "PERFORM pg_terminate_backend(pg_backend_pid())");
            assertThatThrownBy(() -> new SyncEngine(config(source, dst, "snapshot")).run());
            assertThat(dst.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
                    .isPositive()
                    .isLessThan(TABLES);
            dst.execute("DROP EVENT TRIGGER at_t99");
            new SyncEngine(config(source, dst, "snapshot")).run();
            assertSynced(dst);
        }
    }

    /**
     * A creation that fails part way, here refused by the target at table t99 (after some committed transactions of
     * tables), drops the tables it made and the sync's records: nothing is left half-created.
     */
    @Test
    void aCreationThatFailsPartWayLeavesNothing(TestDatabase source) throws Exception {
        createTables(source);
        try (TestDatabase dst = TestDatabase.create(target)) {
            atTableT99(dst, "RAISE EXCEPTION 'no more tables'");
            assertThatThrownBy(() -> new SyncEngine(config(source, dst, "snapshot")).run())
                    .hasMessageContaining("no more tables");
            assertThat(dst.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
                    .isZero();
            assertThat(dst.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'many'"))
                    .isZero();
        }
    }

    /**
     * Regression (issue 5): a snapshot copy that did not finish empties the tables it was filling before it starts
     * again, and emptied them with one TRUNCATE, which locks every table and index until it ends: into some thousands
     * of existing tables the next start failed with "out of shared memory", and so did every start after it. Tables
     * that a foreign key joins are still emptied together. Regression (issue 5) too: the copy checked the foreign keys
     * of existing target tables, so a row of a referencing table copied before the row it references failed it.
     */
    @Test
    void aCopyStartedAgainEmptiesExistingTablesAFewAtATime(TestDatabase source) throws Exception {
        List<String> ddl = new ArrayList<>();
        for (int i = 0; i < TABLES; i++) {
            ddl.add("CREATE TABLE t" + i + " (id int PRIMARY KEY, up int"
                    + (i % 2 == 0 ? "" : " REFERENCES t" + (i - 1)) + ", note text)");
            ddl.add("CREATE INDEX t" + i + "_note ON t" + i + " (note)");
        }
        source.execute(ddl.toArray(String[]::new));
        for (int i = 0; i < TABLES; i++) {
            source.execute("INSERT INTO t" + i + " SELECT g, " + (i % 2 == 0 ? "NULL" : "1") + ", 'n' || g"
                    + " FROM generate_series(1, " + (1 + i % 5) + ") g");
        }
        try (TestDatabase dst = TestDatabase.create(target)) {
            dst.execute(ddl.toArray(String[]::new));
            // Copied into as they are, their foreign keys in place: the copy fires no check (a row of t1 may come in
            // before t0's). The target refuses a row of t9, among the last tables copied (the copy takes the largest
            // first, then by name), so the copy fails after most tables' rows are in.
            dst.execute("ALTER TABLE t9 ADD CONSTRAINT no_n1 CHECK (note <> 'n1')");
            assertThatThrownBy(() -> new SyncEngine(config(source, dst, "snapshot")).run())
                    .hasMessageContaining("no_n1");
            long partial = 0;
            for (int i = 0; i < TABLES; i++) {
                partial += dst.queryLong("SELECT count(*) FROM t" + i);
            }
            assertThat(partial).as("rows the unfinished copy left").isPositive();
            dst.execute("ALTER TABLE t9 DROP CONSTRAINT no_n1");
            new SyncEngine(config(source, dst, "snapshot")).run();
            long rows = 0;
            for (int i = 0; i < TABLES; i++) {
                rows += dst.queryLong("SELECT count(*) FROM t" + i + " WHERE note = 'n' || id");
            }
            assertThat(rows).isEqualTo(3L * TABLES);
        }
    }
}
