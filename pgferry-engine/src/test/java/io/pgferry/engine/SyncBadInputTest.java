package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad input to a sync: one error naming the problem and the fix, and nothing created on either side (no slot, no
 * publication at the source; no pgferry schema, no table at the target). Issue #5.
 */
@PgTest
class SyncBadInputTest {

    private static void assertRefused(
            TestDatabase source, TestDatabase target, ThrowingCallable run, String problem, String fix)
            throws SQLException {
        assertRefusedAtSource(source, run, problem, fix);
        assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                .isZero();
    }

    /** {@code db} reached as {@code role}, whose password is {@code pw}. */
    private static Dsn as(TestDatabase db, String role) {
        return Dsn.parse("postgresql://" + role + ":pw@" + db.server().host() + ":"
                + db.server().port() + "/" + db.name());
    }

    /** {@code run} fails with one line holding {@code problem} and {@code fix}, and left the source as it was. */
    static void assertRefusedAtSource(TestDatabase source, ThrowingCallable run, String problem, String fix)
            throws SQLException {
        assertThatThrownBy(run).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).contains(problem);
            assertThat(e.fix()).contains(fix);
            assertThat(e.getMessage()).doesNotContain("\n");
        });
        assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'logical'"))
                .isZero();
        assertThat(source.queryLong("SELECT count(*) FROM pg_publication")).isZero();
    }

    /**
     * Issue 5: a slot of the sync's name that exists before its first copy is refused, nothing created; one made for
     * another database of the source's server (slot names are per server) was refused as if it were a stale slot of
     * this sync, with "drop it" for a fix and no word of the database that uses it.
     */
    @Test
    void aSlotOfTheSyncsNameThatExistsAlready(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        String slot = "taken_" + Long.toHexString(System.nanoTime());
        try (TestDatabase other = TestDatabase.create(source.server());
                TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(
                    SyncEngineTest.config(source, target).slot(slot).build());
            for (TestDatabase owner : new TestDatabase[] {source, other}) {
                owner.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
                try {
                    assertThatThrownBy(e::run).isInstanceOfSatisfying(PgFerryException.class, x -> {
                        assertThat(x.problem()).contains("slot " + slot + " already exists on the source");
                        if (owner == source) {
                            assertThat(x.problem()).doesNotContain("made for database");
                            assertThat(x.fix()).startsWith("drop it (");
                        } else {
                            assertThat(x.problem()).contains("(made for database " + other.name() + ":");
                            assertThat(x.fix()).startsWith("choose another slot name");
                        }
                    });
                } finally {
                    owner.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                }
                assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                        .isZero();
                assertThat(source.queryLong("SELECT count(*) FROM pg_publication"))
                        .isZero();
            }
        }
    }

    @Test
    void tablesMatchingNothing(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(
                    SyncEngineTest.config(source, target).include("sales.*").build());
            assertRefused(source, target, e::run, "no table of the source matches sales.*", "check the table patterns");
        }
    }

    /**
     * Regression (issue 5): a first start from a publication of the user's that leaves out a table the patterns match
     * was refused by the stream's set-up, after the target's tables and the pgferry schema had been created.
     */
    /** Tables a and b at {@code source}, and a publication of the user's, mine, that publishes a alone. */
    static void publicationMineLeavingOutB(TestDatabase source) throws SQLException {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "CREATE PUBLICATION mine FOR TABLE a");
    }

    @Test
    void aPublicationOfTheUsersThatLeavesOutAMatchedTable(TestDatabase source) throws Exception {
        publicationMineLeavingOutB(source);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(
                    SyncEngineTest.config(source, target).publication("mine").build());
            assertThatThrownBy(e::run).isInstanceOfSatisfying(PgFerryException.class, x -> {
                assertThat(x.problem()).isEqualTo("publication mine exists but does not publish public.b");
                assertThat(x.fix()).startsWith("run ALTER PUBLICATION \"mine\" ADD TABLE \"public\".\"b\"");
            });
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'logical'"))
                    .isZero();
        }
    }

    @Test
    void tableWithoutKeyOrReplicaIdentity(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int)", "ALTER TABLE t REPLICA IDENTITY NOTHING");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(
                    source, target, e::run, "has no primary key and no replica identity", "REPLICA IDENTITY FULL");
        }
    }

    @Test
    void schemaMapToMissingSchema(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target)
                    .mapSchema("public", "archive")
                    .build());
            assertRefused(source, target, e::run, "which does not exist at the target", "CREATE SCHEMA \"archive\"");
        }
    }

    /**
     * Issue 5, "a schema map naming a missing schema": a misspelt source schema matched no table, and the tables of
     * the schema meant went to a target schema of their own name.
     */
    @Test
    void schemaMapFromMissingSourceSchema(TestDatabase source) throws Exception {
        source.execute("CREATE SCHEMA sales", "CREATE TABLE sales.t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE SCHEMA archive");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target)
                    .mapSchema("slaes", "archive")
                    .build());
            assertRefused(source, target, e::run, "the source has no schema \"slaes\"", "fix the schema map");
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'"))
                    .isZero();
        }
    }

    /**
     * Regression (issue 5): a second sync of the same tables under another slot name was taken for a new one, and
     * applied every change a second time into the first one's tables. It is refused before it creates anything.
     */
    @Test
    void aSecondSyncUnderAnotherSlotIntoTheSameTables(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 10)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            SyncEngine second = new SyncEngine(SyncEngineTest.config(source, target)
                    .slot("second")
                    .publication("second")
                    .untilCaughtUp(true)
                    .build());
            assertThatThrownBy(second::run).isInstanceOfSatisfying(PgFerryException.class, e -> {
                assertThat(e.problem())
                        .contains("target table public.t for public.t is written by sync "
                                + SyncConfig.Builder.DEFAULT_SLOT);
                assertThat(e.fix()).contains("remove sync " + SyncConfig.Builder.DEFAULT_SLOT + " first");
            });
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'second'"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.table_state WHERE sync_name = 'second'"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(10);
        }
    }

    @Test
    void targetTableWithIncompatibleColumn(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v numeric(10,2))");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(
                    source, target, e::run, "column v of target table public.t is text but numeric(10,2)", "change");
        }
    }

    @Test
    void targetTableMissingAColumn(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, \"Note\" text)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY)");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(source, target, e::run, "has no column Note", "ADD COLUMN \"Note\" text");
        }
    }

    @Test
    void nonEmptyTargetTableForASnapshotCopy(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(source, target, e::run, "already holds rows", "copy mode none");
        }
    }

    @Test
    void wrongTargetPassword(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String role = target.createRole("ferry_target", "right-password", "LOGIN");
            String uri = "postgresql://" + role + ":wrong-password@"
                    + target.server().host() + ":" + target.server().port() + "/" + target.name();
            SyncEngine e = new SyncEngine(
                    SyncConfig.builder().source(source.uri()).target(uri).build());
            assertRefused(source, target, e::run, "password authentication failed", "");
        }
    }

    @Test
    void unreachableTarget(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        SyncEngine e = new SyncEngine(SyncConfig.builder()
                .source(source.uri())
                .target("postgresql://nobody@127.0.0.1:" + closed + "/nowhere")
                .build());
        assertRefusedAtSource(source, e::run, "127.0.0.1:" + closed, "");
    }

    @Test
    void targetRoleWithoutRights(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String role = target.createRole("ferry_weak", "pw", "LOGIN");
            target.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            SyncEngine e = new SyncEngine(SyncConfig.builder()
                    .source(source.uri())
                    .target(as(target, role))
                    .build());
            assertRefused(source, target, e::run, "permission denied", "grant");
        }
    }

    /**
     * Issue 5: a source role that may not stream (no REPLICATION attribute) is refused before anything is created.
     * It was found only when the slot was created, after the target had the sync's catalog and table.
     */
    @Test
    void sourceRoleThatMayNotReplicate(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        String role = source.createRole("ferry_noreplication", "pw", "LOGIN");
        source.execute("GRANT SELECT ON t TO " + role);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine e = new SyncEngine(SyncConfig.builder()
                    .source(as(source, role))
                    .target(target.uri())
                    .build());
            assertRefused(source, target, e::run, "may not use replication", "WITH REPLICATION");
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 't'"))
                    .isZero();
        }
    }

    /**
     * Issue 5: a source whose wal_level is below logical is refused with the setting to change, before anything is
     * created; the target had the sync's catalog and tables when the slot's creation found it.
     */
    @Test
    void sourceWithoutLogicalDecoding(TestDatabase target) throws Exception {
        PostgresServer server = PostgresServer.startPrivate(java.util.Map.of("wal_level", "replica"));
        try (TestDatabase source = TestDatabase.create(server)) {
            source.execute("CREATE TABLE t (id int PRIMARY KEY)");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(source, target, e::run, "wal_level is replica", "wal_level = logical");
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 't'"))
                    .isZero();
        } finally {
            server.embedded().close();
        }
    }

    /**
     * Issue 5: an unlogged table, whose changes logical decoding never sees, was left out of the sync without a word,
     * and patterns that matched only unlogged tables got "no table of the source matches". It is named, with the fix.
     */
    @Test
    void anUnloggedTableIsNamed(TestDatabase source) throws Exception {
        source.execute(
                "CREATE UNLOGGED TABLE cache (id int PRIMARY KEY)",
                "CREATE TABLE kept (id int PRIMARY KEY)",
                "INSERT INTO kept VALUES (1)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertRefused(
                    source,
                    target,
                    () -> new SyncEngine(SyncEngineTest.config(source, target)
                                    .include("public.cache")
                                    .build())
                            .run(),
                    "no table of the source matches public.cache but unlogged public.cache, which cannot be streamed",
                    "ALTER TABLE ... SET LOGGED");
            new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.*")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(target.queryLong("SELECT count(*) FROM kept")).isEqualTo(1);
            assertThat(target.queryString("SELECT pg_catalog.to_regclass('public.cache')::text"))
                    .isNull();
        }
    }

    /** A target that takes no writes (a standby, or read-only by default) is named as such, and nothing is made. */
    @Test
    void readOnlyTarget(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            PostgresServer.second()
                    .execute(
                            "postgres",
                            "ALTER DATABASE \"" + target.name() + "\" SET default_transaction_read_only = on");
            SyncEngine e = new SyncEngine(SyncEngineTest.config(source, target).build());
            assertRefused(
                    source,
                    target,
                    e::run,
                    "read-only transaction",
                    "the destination is read-only (a standby, or default_transaction_read_only)");
        }
    }

    @Test
    void secondSyncOnTheSameSlotAndTarget(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second());
                RunningSync first = RunningSync.start(
                        new SyncEngine(SyncEngineTest.config(source, target).build()))) {
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "t");
            SyncEngine second =
                    new SyncEngine(SyncEngineTest.config(source, target).build());
            assertThatThrownBy(second::run).isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.problem())
                    .contains("another pgferry sync with slot pgferry_sync is running"));
            first.assertRunning();
        }
    }
}
