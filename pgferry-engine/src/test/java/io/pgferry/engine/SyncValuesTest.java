package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every value arrives exactly, through the copy (binary and text COPY) and through the apply (COPY text runs and
 * bound parameters): NULLs, quotes, backslashes and line breaks, 't'/'f' in text columns (a defect of pg2any),
 * bytea, numeric(38,10), numeric NaN and ±Infinity, float NaN, arrays, json, timestamps with time zones, enums,
 * domains; and identifiers with mixed case, quotes, spaces, unicode and reserved words. Issue #5.
 */
@PgTest
@Tag("stream")
class SyncValuesTest {
    private static final String WEIRD = "\"Mixed \"\"Quoted\"\" Tábla\"";
    private static final String COLUMNS = "(\"Id\", t, b, n, nn, f, r, arr, tarr, j, jb, ts, tsl, d, iv, u, m, marr, p,"
            + " bo, \"select\", \"with space\", x, pt, big, ch)";
    private static final String ROWS = " VALUES"
            + " (%1$d, 't', '\\x00ff', 12345678901234567890.1234567890, 'NaN', 'NaN', '-Infinity', '{1,NULL,3}',"
            + " '{\"a,b\",\"c\\\"d\",NULL}', '{\"k\": [1, 2.50]}', '{\"z\": 1, \"a\": null}',"
            + " '2026-03-29 01:30:00.123456+01', '2026-01-01 23:59:59.999999', '2026-02-28', '1 year 2 mons 3 days"
            + " 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', '{sad,ok}', 7, true, 'f',"
            + " 'tab\there', '<a>x</a>', '(1.5,-2)', 9223372036854775807, 'ab'),"
            + " (%2$d, 'it''s \\ a \"q\"' || E'\\n\\r\\t' || 'ü€😀', '\\x', '-0.0000000001', '-Infinity', '-0',"
            + " 'Infinity', '{}', '{}', 'null', '[]', '-infinity', 'infinity', '0001-01-01 BC', '-1 days', NULL,"
            + " 'sad', '{}', 1, false, 'F', '', NULL, NULL, -9223372036854775808, NULL),"
            + " (%3$d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

    @Test
    void valuesAndIdentifiersArriveExactlyThroughCopyAndApply(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
                "CREATE TABLE " + WEIRD + " (\"Id\" int PRIMARY KEY, t text, b bytea, n numeric(38,10), nn numeric,"
                        + " f float8, r real, arr int[], tarr text[], j json, jb jsonb, ts timestamptz,"
                        + " tsl timestamp, d date, iv interval, u uuid, m mood, marr mood[], p posint, bo boolean,"
                        + " \"select\" text, \"with space\" varchar(20), x xml, pt point, big bigint, ch char(3))",
                "CREATE TABLE builtin (\"Id\" int PRIMARY KEY, t text, b bytea, n numeric(38,10), f float8,"
                        + " arr int[], j json, ts timestamptz, iv interval)",
                "INSERT INTO " + WEIRD + COLUMNS + String.format(Locale.ROOT, ROWS, 1, 2, 3),
                "INSERT INTO builtin SELECT \"Id\", t, b, n, f, arr, j, ts, iv FROM " + WEIRD);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine engine = new SyncEngine(
                    SyncEngineTest.config(source, target).include("public.*").build());
            try (RunningSync running = RunningSync.start(engine)) {
                Databases.awaitSame(source, target, Duration.ofSeconds(60), WEIRD, "builtin");
                source.execute(
                        "INSERT INTO " + WEIRD + COLUMNS + String.format(Locale.ROOT, ROWS, 11, 12, 13),
                        "INSERT INTO builtin SELECT \"Id\", t, b, n, f, arr, j, ts, iv FROM " + WEIRD
                                + " WHERE \"Id\" > 10",
                        "UPDATE " + WEIRD + " SET t = 'f', nn = 'Infinity', m = 'ok', \"select\" = NULL WHERE \"Id\""
                                + " = 1",
                        "UPDATE " + WEIRD + " SET (t, b, j) = (E'x\\ty', '\\xdeadbeef', '{\"n\": 1e400}') WHERE"
                                + " \"Id\" = 3",
                        "DELETE FROM " + WEIRD + " WHERE \"Id\" = 2",
                        // Many rows in one statement: every column set from its text with its type's cast.
                        "UPDATE " + WEIRD + " SET \"select\" = coalesce(\"select\", '') || '!' WHERE \"Id\" > 10",
                        "UPDATE builtin SET t = coalesce(t, '') || E'\\t' WHERE \"Id\" > 10",
                        "DELETE FROM builtin WHERE \"Id\" IN (1, 11, 12)");
                Databases.awaitSame(source, target, Duration.ofSeconds(60), WEIRD, "builtin");
                running.assertRunning();
            }
            assertThat(target.queryString("SELECT t FROM " + WEIRD + " WHERE \"Id\" = 1"))
                    .isEqualTo("f");
            assertThat(target.queryString("SELECT pg_typeof(t)::text FROM " + WEIRD + " LIMIT 1"))
                    .isEqualTo("text");
        }
    }
}
