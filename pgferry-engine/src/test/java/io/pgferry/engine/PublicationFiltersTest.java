package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A publication of the user's with a row filter or a column list (PostgreSQL 15 and later). Issue 5: a sync through a
 * publication that published a table {@code WHERE (id <= 5)} copied every row of it, then streamed the changes of the
 * rows the filter kept, so the others stayed at the target as copied, whatever the source did to them. The copy now
 * reads only the rows the filter keeps, as a native subscription's initial copy does. A column list, which made the
 * stream carry fewer columns than the copy, is refused before anything is created.
 */
@PgTest
@Tag("stream")
class PublicationFiltersTest {

    private static SyncConfig.Builder sync(TestDatabase source, TestDatabase target) {
        return SyncEngineTest.config(source, target).publication("mine").untilCaughtUp(true);
    }

    @ParameterizedTest
    @EnumSource(
            value = CopyMode.class,
            names = {"SNAPSHOT", "CHUNKED"})
    void aRowFilterKeepsItsRowsInTheCopyAndInTheStream(CopyMode mode, TestDatabase source) throws Exception {
        assumeThat(source.server().majorVersion()).as("row filters").isGreaterThanOrEqualTo(15);
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 1000) i",
                "CREATE TABLE p (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)",
                "CREATE TABLE p_low PARTITION OF p FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE p_high PARTITION OF p FOR VALUES FROM (100) TO (1000)",
                "INSERT INTO p SELECT i, 'p' || i FROM generate_series(1, 300) i",
                "CREATE PUBLICATION mine FOR TABLE t WHERE (id <= 500), p WHERE (id % 2 = 0)"
                        + " WITH (publish_via_partition_root = true)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(sync(source, target).copyMode(mode).chunkRows(100).build()).run();
            assertFiltered(source, target);

            source.execute(
                    "DELETE FROM t WHERE id IN (2, 900)",
                    "UPDATE t SET v = 'changed' WHERE id IN (3, 800)",
                    "INSERT INTO t VALUES (0, 'new'), (2000, 'new')",
                    "UPDATE p SET v = 'changed' WHERE id IN (4, 5, 150, 151)",
                    "DELETE FROM p WHERE id IN (6, 7)");
            new SyncEngine(sync(source, target).copyMode(mode).build()).run();
            assertFiltered(source, target);
        }
    }

    /** The copy into another kind of destination reads through the same filter. */
    @Test
    void aRowFilterKeepsItsRowsInACopyToSqlite(TestDatabase source) throws Exception {
        assumeThat(source.server().majorVersion()).as("row filters").isGreaterThanOrEqualTo(15);
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 1000) i",
                "CREATE PUBLICATION mine FOR TABLE t WHERE (id > 990)");
        try (Destination d = Destination.sqlite()) {
            new SyncEngine(Destination.config(source, d)
                            .publication("mine")
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(d.rows("SELECT count(*), min(id) FROM t")).containsExactly("10|991");
        }
    }

    private static void assertFiltered(TestDatabase source, TestDatabase target) throws SQLException {
        assertThat(Databases.query(target, "SELECT id || ' ' || v FROM t ORDER BY id"))
                .containsExactlyElementsOf(
                        Databases.query(source, "SELECT id || ' ' || v FROM t WHERE id <= 500 ORDER BY id"));
        assertThat(Databases.query(target, "SELECT id || ' ' || v FROM p ORDER BY id"))
                .containsExactlyElementsOf(
                        Databases.query(source, "SELECT id || ' ' || v FROM p WHERE id % 2 = 0 ORDER BY id"));
    }

    @Test
    void aColumnListIsRefusedUntilTheTableIsPublishedWhole(TestDatabase source) throws Exception {
        assumeThat(source.server().majorVersion()).as("column lists").isGreaterThanOrEqualTo(15);
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 10) i",
                "CREATE PUBLICATION mine FOR TABLE t (id)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertThatThrownBy(() -> new SyncEngine(sync(source, target).build()).run())
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem())
                                .isEqualTo("publication mine publishes table public.t with a column list, while"
                                        + " pgferry copies and applies every column");
                        assertThat(e.fix()).contains("ALTER PUBLICATION \"mine\" SET TABLE");
                    });
            assertThat(source.queryLong(
                            "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();

            source.execute("ALTER PUBLICATION mine SET TABLE t");
            new SyncEngine(sync(source, target).build()).run();
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(10);
        }
    }
}
