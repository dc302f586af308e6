package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A sync's tables are fixed when it begins. Issue 5: a table created at the source after a sync began, matching its
 * patterns, stopped every restart of that sync ("target table public.later is gone, but sync pgferry_sync was
 * streaming into it", fix: start the sync over and recopy every table); with a destination other than PostgreSQL
 * the same; with Kafka the publication the sync created did not publish it. Now the restart leaves it out with a
 * warning, and a sync of its own can take it, beside the first, which a later restart does not take for a rival.
 */
@PgTest
@Tag("stream")
class SyncTableSetTest {

    @Test
    void aTableCreatedAfterTheSyncBeganIsLeftOutOfItsRestartAndASyncOfItsOwnTakesIt(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "INSERT INTO a SELECT i, 'v' || i FROM generate_series(1, 100) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.*")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            source.execute(
                    "CREATE TABLE later (id int PRIMARY KEY, v text)",
                    "INSERT INTO later SELECT i, 'l' || i FROM generate_series(1, 10) i",
                    "UPDATE a SET v = 'changed' WHERE id = 1");

            new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.*")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(Databases.rows(target, "a")).isEqualTo(Databases.rows(source, "a"));
            assertThat(target.queryString("SELECT pg_catalog.to_regclass('public.later')::text"))
                    .isNull();

            new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.later")
                            .slot("later_sync")
                            .publication("later_pub")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(Databases.rows(target, "later")).isEqualTo(Databases.rows(source, "later"));

            source.execute("UPDATE a SET v = 'again' WHERE id = 2", "UPDATE later SET v = 'again' WHERE id = 2");
            new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.*")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(Databases.rows(target, "a")).isEqualTo(Databases.rows(source, "a"));
            assertThat(Databases.query(target, "SELECT v FROM later WHERE id = 2"))
                    .containsExactly("l2");
            assertThat(Databases.query(
                            target, "SELECT sync_name || ' ' || source_table FROM pgferry.table_state ORDER BY 1"))
                    .containsExactly("later_sync public.later", "pgferry_sync public.a");
        }
    }

    @Test
    void aSqliteSyncLeavesOutATableCreatedAfterItBegan(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE a (id int PRIMARY KEY, v text)", "INSERT INTO a VALUES (1, 'x')");
        try (Destination d = Destination.sqlite()) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            source.execute(
                    "CREATE TABLE later (id int PRIMARY KEY, v text)",
                    "INSERT INTO later VALUES (1, 'l')",
                    "UPDATE a SET v = 'changed' WHERE id = 1");

            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows("SELECT id, v FROM " + d.qualified("a"))).isEqualTo(List.of("1|changed"));
            assertThat(d.rows("SELECT id FROM " + d.qualified("later"))).isEmpty();
        }
    }
}
