package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The publication of a sync configured without one. Issue 5: every such sync took {@code pgferry_sync}, whatever its
 * slot, so a second sync of one source database under another slot was refused ("publication pgferry_sync exists but
 * does not publish public.b"), and once its tables were added there each slot decoded both syncs' tables. Each sync
 * now gets its own, while a sync begun under the earlier default keeps streaming through the publication its slot
 * has used.
 */
@PgTest
@Tag("stream")
class SyncPublicationTest {

    private static SyncConfig.Builder sync(TestDatabase source, TestDatabase target, String slot, String table) {
        return SyncEngineTest.config(source, target).slot(slot).include(table).untilCaughtUp(true);
    }

    private static String published(TestDatabase source) throws SQLException {
        return String.join(
                "; ",
                Databases.query(
                        source, "SELECT pubname || ' ' || tablename FROM pg_catalog.pg_publication_tables ORDER BY 1"));
    }

    @Test
    void twoSyncsUnderTwoSlotsEachGetTheirOwnPublication(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "CREATE TABLE b (id int PRIMARY KEY, v text)",
                "INSERT INTO a SELECT i, 'a' || i FROM generate_series(1, 100) i",
                "INSERT INTO b SELECT i, 'b' || i FROM generate_series(1, 100) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(sync(source, target, "pgferry_sync", "public.a").build()).run();
            new SyncEngine(sync(source, target, "orders_sync", "public.b").build()).run();
            assertThat(published(source)).isEqualTo("orders_sync b; pgferry_sync a");

            source.execute("UPDATE a SET v = 'changed' WHERE id < 10", "DELETE FROM b WHERE id > 90");
            new SyncEngine(sync(source, target, "pgferry_sync", "public.a").build()).run();
            new SyncEngine(sync(source, target, "orders_sync", "public.b").build()).run();
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a", "b");

            SyncTeardown.Result r =
                    SyncTeardown.drop(Dsn.parse(source.uri()), "orders_sync", null, Dsn.parse(target.uri()), "pgferry");
            assertThat(r.publication()).isEqualTo("orders_sync");
        }
    }

    /** A sync begun with a publication pgferry made for its slot under another name goes on with that one. */
    @Test
    void aPublicationMadeForTheSlotUnderAnotherNameIsKept(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE a (id int PRIMARY KEY, v text)", "INSERT INTO a VALUES (1, 'x')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(sync(source, target, "shop_sync", "public.a")
                            .publication("pgferry_sync")
                            .build())
                    .run();
            source.execute("INSERT INTO a VALUES (2, 'y')");
            new SyncEngine(sync(source, target, "shop_sync", "public.a").build()).run();
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a");
            assertThat(published(source)).isEqualTo("pgferry_sync a");
        }
    }

    /**
     * A sync begun under the earlier default through a publication it did not make (another sync's, or the user's)
     * streams through it still: a publication named as its slot, created now, would not publish the WAL its slot has
     * yet to decode.
     */
    @Test
    void aSlotBegunUnderTheEarlierDefaultKeepsIt(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "INSERT INTO a VALUES (1, 'x')",
                "CREATE PUBLICATION pgferry_sync FOR TABLE a");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(sync(source, target, "shop_sync", "public.a")
                            .publication(SyncPublication.EARLIER_DEFAULT)
                            .build())
                    .run();
            source.execute("INSERT INTO a VALUES (2, 'y')", "UPDATE a SET v = 'z' WHERE id = 1");
            new SyncEngine(sync(source, target, "shop_sync", "public.a").build()).run();
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a");
            assertThat(published(source)).isEqualTo("pgferry_sync a");
        }
    }
}
