package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Values whose text form depends on the session's settings, and settings meant for applications. Issue 5: from a
 * source database whose IntervalStyle was {@code sql_standard}, {@code -1 days -02:03:04} printed as {@code -1 2:03:04}
 * in the text copy and in the stream, which the target read back as {@code -1 days +02:03:04}; with extra_float_digits
 * 0, 0.1 + 0.2 arrived as 0.3. Every such value arrived wrong, without an error. pgferry's sessions now print intervals
 * and floats as PostgreSQL's own subscriptions ask of the publisher.
 */
@PgTest
@Tag("stream")
class SessionSettingsTest {

    /**
     * The source database's IntervalStyle, DateStyle and extra_float_digits all set to what misleads a reader in the
     * default settings; the last two are overridden by pgjdbc's own start-up settings, checked here so that a change
     * of driver cannot undo them unseen.
     */
    @Test
    void valuesArriveExactlyFromASourceDatabaseWithOtherTextSettings(TestDatabase source) throws Exception {
        source.execute(
                "ALTER DATABASE " + source.name() + " SET IntervalStyle = 'sql_standard'",
                "ALTER DATABASE " + source.name() + " SET DateStyle = 'SQL, DMY'",
                "ALTER DATABASE " + source.name() + " SET extra_float_digits = 0",
                // An enum column makes the copy use the text format.
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE TABLE t (id int PRIMARY KEY, m mood, i interval, d date, f float8)",
                "INSERT INTO t VALUES (1, 'sad', '-1 days -02:03:04', '2026-03-04', 0.1::float8 + 0.2),"
                        + " (2, 'ok', '-1 year -2 mons -3 days -00:00:05', '2026-12-01', 1e-300),"
                        + " (3, 'ok', '-1 days +02:03:04', '0044-03-15 BC', 2.0 / 3)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            source.execute(
                    "INSERT INTO t VALUES (4, 'sad', '-5 days -06:07:08.5', '2026-01-02', 1.0 / 3)",
                    "UPDATE t SET i = '-2 days -00:00:01', d = '2026-02-01', f = 0.7::float8 * 3 WHERE id = 3");
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            String values = "SELECT id || ' ' || extract(epoch FROM i) || ' ' || d || ' ' || f FROM t ORDER BY id";
            assertThat(Databases.query(target, values)).containsExactlyElementsOf(Databases.query(source, values));
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
