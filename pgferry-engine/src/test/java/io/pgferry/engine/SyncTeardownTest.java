package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Removing a sync ({@code pgferry sync --drop}), on real servers: the slot and the target's records go, the target's
 * tables and rows and the publication stay, and nothing is removed when the sync runs, when the name matches nothing
 * or when a subscription took the slot over. Until this, removing a sync took a slot drop and hand-written DELETEs
 * in the target's catalog tables (issue 5).
 *
 * <p>Not tagged "stream": what it tests is the target's side and the sync's own recovery, the same whatever the
 * source's major, so CI runs it on PostgreSQL 17 only.
 */
@PgTest
class SyncTeardownTest {
    private static final String PUBLICATION = "pgferry_sync";

    private static void syncUntilCaughtUp(TestDatabase source, TestDatabase target, String slot, String table) {
        new SyncEngine(SyncEngineTest.config(source, target)
                        .slot(slot)
                        .publication(slot)
                        .include(List.of("public." + table))
                        .untilCaughtUp(true)
                        .build())
                .run();
    }

    private static List<String> slots(TestDatabase db) throws Exception {
        return Databases.query(db, "SELECT slot_name FROM pg_replication_slots ORDER BY 1");
    }

    @Test
    void theSlotAndTheRecordsGoTheTablesAndThePublicationStay(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 50) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            syncUntilCaughtUp(source, target, PUBLICATION, "t");
            assertThat(slots(source)).contains(PUBLICATION);

            SyncTeardown.Result r = SyncTeardown.drop(
                    Dsn.parse(source.uri()), PUBLICATION, PUBLICATION, Dsn.parse(target.uri()), "pgferry");

            assertThat(r.slotDropped()).isTrue();
            assertThat(r.recordsRemoved()).isTrue();
            assertThat(r.catalogDropped()).as("no sync left").isTrue();
            assertThat(r.publicationDropped())
                    .as("made by the sync, no other slot left")
                    .isTrue();
            assertThat(slots(source)).doesNotContain(PUBLICATION);
            assertThat(Databases.query(target, "SELECT to_regnamespace('pgferry') IS NULL"))
                    .containsExactly("t");
            assertThat(Databases.query(target, "SELECT count(*) FROM t")).containsExactly("50");
            assertThat(Databases.query(source, "SELECT count(*) FROM pg_publication"))
                    .containsExactly("0");
        }
    }

    @Test
    void anotherSyncIntoTheSameTargetKeepsItsRecordsAndTheCatalog(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            syncUntilCaughtUp(source, target, "sync_a", "a");
            syncUntilCaughtUp(source, target, "sync_b", "b");

            SyncTeardown.Result r =
                    SyncTeardown.drop(Dsn.parse(source.uri()), "sync_a", "sync_a", Dsn.parse(target.uri()), "pgferry");

            assertThat(r.catalogDropped()).isFalse();
            assertThat(r.publicationDropped())
                    .as("another slot is left, which might use it")
                    .isFalse();
            assertThat(r.publicationExists()).isTrue();
            assertThat(slots(source)).containsExactly("sync_b");
            assertThat(Databases.query(target, "SELECT DISTINCT sync_name FROM pgferry.sync_progress"))
                    .containsExactly("sync_b");
            assertThat(Databases.query(target, "SELECT DISTINCT sync_name FROM pgferry.table_state"))
                    .containsExactly("sync_b");
            assertThat(Databases.query(target, "SELECT DISTINCT sync_name FROM pgferry.source_state"))
                    .containsOnly("sync_b");
        }
    }

    @Test
    void aPublicationTheUserMadeStays(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION mine FOR TABLE t");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .publication("mine")
                            .untilCaughtUp(true)
                            .build())
                    .run();

            SyncTeardown.Result r =
                    SyncTeardown.drop(Dsn.parse(source.uri()), PUBLICATION, "mine", Dsn.parse(target.uri()), "pgferry");

            assertThat(r.slotDropped()).isTrue();
            assertThat(r.publicationDropped()).isFalse();
            assertThat(r.publicationExists()).isTrue();
            assertThat(Databases.query(source, "SELECT pubname FROM pg_publication"))
                    .containsExactly("mine");
        }
    }

    @Test
    void aRunningSyncAMisspeltNameAndAHandedOverSlotRemoveNothing(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Dsn s = Dsn.parse(source.uri());
            Dsn t = Dsn.parse(target.uri());
            try (RunningSync running = RunningSync.start(
                    new SyncEngine(SyncEngineTest.config(source, target).build()))) {
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                assertThatThrownBy(() -> SyncTeardown.drop(s, PUBLICATION, PUBLICATION, t, "pgferry"))
                        .isInstanceOf(PgFerryException.class)
                        .hasMessageContaining("slot pgferry_sync is in use")
                        .hasMessageContaining("the sync is running");
                running.assertRunning();
            }
            assertThat(slots(source)).contains(PUBLICATION);
            assertThat(Databases.query(target, "SELECT sync_name FROM pgferry.sync_progress"))
                    .containsExactly(PUBLICATION);

            assertThatThrownBy(() -> SyncTeardown.drop(s, "pgferry_synk", PUBLICATION, t, "pgferry"))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("no sync named pgferry_synk");

            // After a hand-off the slot is the subscription's (connect = false: the subscription never runs here).
            target.execute(
                    "CREATE SUBSCRIPTION handed CONNECTION '" + source.uri().replace("'", "''")
                            + "' PUBLICATION pgferry_sync WITH (connect = false, slot_name = 'pgferry_sync', enabled = false,"
                            + " create_slot = false)");
            try {
                assertThatThrownBy(() -> SyncTeardown.drop(s, PUBLICATION, PUBLICATION, t, "pgferry"))
                        .isInstanceOf(PgFerryException.class)
                        .hasMessageContaining("subscription handed");
            } finally {
                target.execute("ALTER SUBSCRIPTION handed SET (slot_name = NONE)", "DROP SUBSCRIPTION handed");
            }
            assertThat(slots(source)).contains(PUBLICATION);
            assertThat(Databases.query(target, "SELECT sync_name FROM pgferry.sync_progress"))
                    .containsExactly(PUBLICATION);
        }
    }

    static Stream<Arguments> foreign() {
        return Stream.of(Arguments.of("mariadb"), Arguments.of("sqlite"));
    }

    @ParameterizedTest
    @MethodSource("foreign")
    void aForeignTargetLosesTheCatalogTablesAndKeepsItsData(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 20) i");
        try (Destination d = kind.equals("mariadb") ? Destination.mariadb() : Destination.sqlite()) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(tables(d)).contains("pgferry_sync_progress", "pgferry_table_state", "t");

            SyncTeardown.Result r = SyncTeardown.drop(
                    Dsn.parse(source.uri()),
                    PUBLICATION,
                    PUBLICATION,
                    JdbcTargetUri.parse(d.uri(), Map.of()),
                    SyncCatalog.DEFAULT_SCHEMA);

            assertThat(r.slotDropped()).isTrue();
            assertThat(r.catalogDropped()).isTrue();
            assertThat(tables(d)).containsExactly("t");
            assertThat(slots(source)).doesNotContain(PUBLICATION);
        }
    }

    /** The tables of the destination's database, by name. */
    private static List<String> tables(Destination d) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = d.connect();
                ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME"));
            }
        }
        return out;
    }
}
