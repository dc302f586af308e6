package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A publication of the user's with a row filter or a column list. Issue 5: a sync through a publication that
 * published a table {@code WHERE (id <= 5)} copied every row of it and then streamed the changes of the rows the
 * filter kept, so the others stayed at the target as they were at the copy, whatever the source did to them; a column
 * list made the stream carry fewer columns than the copy. Both are refused before anything is created.
 */
@PgTest
@Tag("stream")
class PublicationFiltersTest {

    private static SyncConfig.Builder sync(TestDatabase source, TestDatabase target) {
        return SyncEngineTest.config(source, target).publication("mine").untilCaughtUp(true);
    }

    @Test
    void aRowFilterOrAColumnListIsRefusedUntilTheTableIsPublishedWhole(TestDatabase source) throws Exception {
        assumeThat(source.server().majorVersion())
                .as("row filters and column lists")
                .isGreaterThanOrEqualTo(15);
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 10) i",
                "CREATE PUBLICATION mine FOR TABLE t WHERE (id <= 5)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertRefused(
                    source,
                    target,
                    "publication mine publishes table public.t with a row filter, while pgferry copies and applies"
                            + " whole tables",
                    "ALTER PUBLICATION \"mine\" SET TABLE");

            source.execute("ALTER PUBLICATION mine SET TABLE t (id)");
            assertRefused(source, target, "publishes table public.t with a column list", "leave the table out");

            source.execute("ALTER PUBLICATION mine SET TABLE t");
            new SyncEngine(sync(source, target).build()).run();
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(10);
        }
    }

    /** A sync through publication mine fails with one line holding {@code problem} and {@code fix}; nothing made. */
    private static void assertRefused(TestDatabase source, TestDatabase target, String problem, String fix)
            throws SQLException {
        assertThatThrownBy(() -> new SyncEngine(sync(source, target).build()).run())
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.problem()).contains(problem);
                    assertThat(e.fix()).contains(fix);
                });
        assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
        assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                .isZero();
    }
}
