package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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

    /**
     * Issue 5: money is printed and read after the session's lc_monetary, and a target session with another one than
     * the source's refused the streamed text, or read it into another count of minor units than the copy moved: under
     * a locale without fraction digits "$1,234.56" is 1235. The source database here prints money in yen, without
     * fraction digits; the target reads it in the C locale's dollars and cents. One table is copied in the binary
     * format (the count itself), the other, with an enum column, in text.
     */
    @Test
    void moneyArrivesExactlyIntoATargetDatabaseWithAnotherLcMonetary(TestDatabase source) throws Exception {
        requireJapaneseLocale(source);
        source.execute(
                "ALTER DATABASE " + source.name() + " SET lc_monetary = 'ja_JP.UTF-8'",
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE TABLE b (id int PRIMARY KEY, m money)",
                "CREATE TABLE t (id int PRIMARY KEY, e mood, m money)",
                "INSERT INTO b VALUES (1, 123456), (2, -99), (3, NULL)",
                "INSERT INTO t VALUES (1, 'ok', 123456), (2, 'sad', -99), (3, 'ok', NULL)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("ALTER DATABASE " + target.name() + " SET lc_monetary = 'C'");
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            for (String table : List.of("b", "t")) {
                source.execute(
                        "INSERT INTO " + table + " (id, m) VALUES (4, 9876543)",
                        "UPDATE " + table + " SET m = 1 WHERE id = 2",
                        "UPDATE " + table + " SET m = 555 WHERE id = 3");
            }
            new SyncEngine(SyncEngineTest.config(source, target)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            for (String table : List.of("b", "t")) {
                // The count of minor units each side stores, from money's binary form, which no setting changes.
                String values = "SELECT id || ' ' || ('x' || encode(cash_send(m), 'hex'))::bit(64)::bigint FROM "
                        + table + " ORDER BY id";
                List<String> expected = Databases.query(source, values);
                assertThat(expected).hasSize(4).doesNotContainNull().doesNotHaveDuplicates();
                assertThat(Databases.query(target, values)).as(table).containsExactlyElementsOf(expected);
            }
        }
    }

    /** Fails with what to do when the machine lacks ja_JP.UTF-8: PostgreSQL takes its locales from the system. */
    private static void requireJapaneseLocale(TestDatabase db) throws SQLException {
        try {
            db.execute("SET lc_monetary = 'ja_JP.UTF-8'");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "locale ja_JP.UTF-8 missing: run 'localedef -i ja_JP -f UTF-8 ja_JP.UTF-8' as root (.ci/run does"
                            + " it when run as root)",
                    e);
        }
    }
}
