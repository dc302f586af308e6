package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Values whose text form depends on the session's settings. Issue 5: a source database whose IntervalStyle was
 * {@code sql_standard} printed {@code -1 days -02:03:04} as {@code -1 2:03:04}, in the text copy and in the stream, and
 * a target session in the default style read that back as {@code -1 days +02:03:04}: every negative interval with a
 * time part arrived wrong, without an error. pgferry's sessions now print and read intervals in the {@code postgres}
 * style, as PostgreSQL's own subscriptions ask of the publisher.
 */
@PgTest
@Tag("stream")
class SessionSettingsTest {

    @Test
    void negativeIntervalsArriveExactlyFromASourceInTheSqlStandardStyle(TestDatabase source) throws Exception {
        source.execute(
                "ALTER DATABASE " + source.name() + " SET IntervalStyle = 'sql_standard'",
                // An enum column makes the copy use the text format.
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE TABLE t (id int PRIMARY KEY, m mood, i interval)",
                "INSERT INTO t VALUES (1, 'sad', '-1 days -02:03:04'), (2, 'ok', '-1 year -2 mons -3 days -00:00:05'),"
                        + " (3, 'ok', '-1 days +02:03:04')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            source.execute(
                    "INSERT INTO t VALUES (4, 'sad', '-5 days -06:07:08.5')",
                    "UPDATE t SET i = '-2 days -00:00:01' WHERE id = 3");
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            String epochs = "SELECT id || ' ' || extract(epoch FROM i) FROM t ORDER BY id";
            assertThat(Databases.query(target, epochs)).containsExactlyElementsOf(Databases.query(source, epochs));
        }
    }

    /**
     * Issue 5: a statement timeout set for the source database's applications (here 20 ms) cancelled each range of the
     * copy at every retry, until the sync gave up; pg_dump sets it off for its own session, and so does pgferry now
     * for every session of its own, with the lock, idle-in-transaction and transaction timeouts.
     */
    @Test
    void aStatementTimeoutOfTheDatabaseDoesNotCancelTheCopy(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE big (id int PRIMARY KEY, v text)",
                "INSERT INTO big SELECT i, md5(i::text) FROM generate_series(1, 1000000) i",
                "ALTER DATABASE " + source.name() + " SET statement_timeout = '20ms'");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .maxRetryTime(Duration.ofSeconds(10))
                            .build())
                    .run();
            assertThat(target.queryLong("SELECT count(*) FROM big")).isEqualTo(1_000_000);
        }
    }
}
