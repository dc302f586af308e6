package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every mapped type with edge values, copied and streamed into MariaDB and SQLite (issue 7), compared value by value
 * through the documented type mapping; and the policies for values a destination cannot hold.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignValuesTest {
    private static final String TABLE = "CREATE TABLE \"Typed Ünïcode\" (id int PRIMARY KEY, n38 numeric(38,10),"
            + " nu numeric, f8 float8, ts timestamptz, tsn timestamp, d date, b bytea, arr int[], tarr text[],"
            + " j jsonb, tx text, u uuid, bo bool, iv interval, \"select\" text)";

    private static final String ROWS = "INSERT INTO \"Typed Ünïcode\" VALUES"
            + " (1, 1234567890123456789012345678.0123456789, 1234567890123456789012345678901234567890.5, 1.5,"
            + " '2024-02-29 12:34:56.123456+02', '2024-01-01 00:00:00', '2024-01-01', '\\x00ff', '{1,NULL,3}',"
            + " '{\"a,b\",\"q\\\"uote\"}', '{\"k\": [1, 2]}', 't', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true,"
            + " '1 day 02:00:00', 'f'),"
            + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NULL', NULL, false, NULL,"
            + " '😀 ''quoted'' \\ back')";

    static Stream<Arguments> destinations() {
        return ForeignSyncTest.destinations();
    }

    private static String select(Destination d) {
        return "SELECT id, n38, nu, f8, ts, tsn, d, hex(b), arr, tarr, j, tx, u, bo, iv, " + d.quote("select")
                + " FROM " + d.qualified("Typed Ünïcode") + " ORDER BY id";
    }

    private static List<String> expected(String kind) {
        boolean maria = kind.equals("mariadb");
        String ts = maria ? "2024-02-29 10:34:56.123456" : "2024-02-29T10:34:56.123456Z";
        String tsn = maria ? "2024-01-01 00:00:00.000000" : "2024-01-01 00:00:00.000000";
        return List.of(
                "1|1234567890123456789012345678.0123456789|1234567890123456789012345678901234567890.5|1.5|" + ts + "|"
                        + tsn + "|2024-01-01|00FF|[1,null,3]|[\"a,b\",\"q\\\"uote\"]|{\"k\": [1, 2]}|t|"
                        + "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|1|1 day 02:00:00|f",
                "2|null|null|null|null|null|null|" + (maria ? "null" : "")
                        + "|null|null|null|NULL|null|0|null|😀 'quoted' \\ back");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void everyTypeArrivesExactlyByCopyAndByStream(String kind, TestDatabase source) throws Exception {
        source.execute(TABLE, ROWS);
        try (Destination d = ForeignSyncTest.open(kind)) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows(select(d))).isEqualTo(expected(kind));
            // The same rows again, this time through the stream.
            source.execute("DELETE FROM \"Typed Ünïcode\"", ROWS);
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows(select(d))).isEqualTo(expected(kind));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aValueTheTargetCannotHoldStopsNamingTableColumnKeyAndPosition(String kind, TestDatabase source)
            throws Exception {
        source.execute("CREATE TABLE m (id int PRIMARY KEY, f8 float8)", "INSERT INTO m VALUES (1, 1), (3, 'NaN')");
        try (Destination d = ForeignSyncTest.open(kind)) {
            assertSyncStopsAtTheNaN(source, d).hasMessageContaining("in the initial copy");
        }
    }

    /**
     * Regression (issue 7): with several copy workers, those stopped by another's failure reported "the initial copy
     * failed in another worker", and the first worker's report, often one of those, was what the user saw instead of
     * the value, table and key.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void withSeveralCopyWorkersTheFailureReportedIsTheValue(String kind, TestDatabase source) throws Exception {
        // About 35 MB: five ranges of at most 8 MB. The NaN is early in the fourth, so that the workers with the
        // first ranges are still copying when the one with the fourth fails.
        source.execute(
                "CREATE TABLE m (id int PRIMARY KEY, f8 float8, pad text)",
                "INSERT INTO m SELECT i, CASE i WHEN 105000 THEN 'NaN'::float8 ELSE 1 END, repeat('x', 200)"
                        + " FROM generate_series(1, 150000) i");
        try (Destination d = ForeignSyncTest.open(kind)) {
            assertThatThrownBy(() -> new SyncEngine(Destination.config(source, d)
                                    .workers(4)
                                    .untilCaughtUp(true)
                                    .build())
                            .run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("column f8")
                    .hasMessageContaining("key (id)=(105000)")
                    .hasMessageNotContaining("another worker");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aStreamedValueTheTargetCannotHoldNamesItsSourcePosition(String kind, TestDatabase source) throws Exception {
        source.execute("CREATE TABLE m (id int PRIMARY KEY, f8 float8)", "INSERT INTO m VALUES (1, 1)");
        try (Destination d = ForeignSyncTest.open(kind)) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            source.execute("INSERT INTO m VALUES (3, 'NaN')");
            assertSyncStopsAtTheNaN(source, d).hasMessageMatching("(?s).*at source position [0-9A-F]+/[0-9A-F]+:.*");
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertSyncStopsAtTheNaN(
            TestDatabase source, Destination d) {
        return assertThatThrownBy(() -> new SyncEngine(Destination.config(source, d)
                                .untilCaughtUp(true)
                                .build())
                        .run())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("column f8")
                .hasMessageContaining("key (id)=(3)")
                .hasMessageContaining("NaN");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void theNullAndClampPoliciesWriteWhatTheySay(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE m (id int PRIMARY KEY, f8 float8, ts timestamptz, n numeric(5,2), nu numeric)",
                "INSERT INTO m VALUES (1, 'NaN', 'infinity', 'NaN', NULL), (2, '-Infinity', '-infinity', 'NaN', NULL),"
                        + " (3, 'Infinity', NULL, NULL, 'Infinity'), (4, NULL, NULL, NULL, '-Infinity')");
        boolean maria = kind.equals("mariadb");
        try (Destination d = ForeignSyncTest.open(kind)) {
            new SyncEngine(Destination.config(source, d)
                            .untilCaughtUp(true)
                            .unrepresentable(Unrepresentable.NULL)
                            .build())
                    .run();
            String q = "SELECT id, f8, ts, n, nu FROM " + d.qualified("m") + " ORDER BY id";
            assertThat(d.rows(q))
                    .containsExactly(
                            maria ? "1|null|null|null|null" : "1|null|infinity|NaN|null",
                            maria ? "2|null|null|null|null" : "2|-Inf|-infinity|NaN|null",
                            // An unconstrained numeric is text at both: its infinities are kept.
                            maria ? "3|null|null|null|Infinity" : "3|Inf|null|null|Infinity",
                            "4|null|null|null|-Infinity");
        }
        try (Destination d = ForeignSyncTest.open(kind)) {
            new SyncEngine(Destination.config(source, d)
                            .untilCaughtUp(true)
                            .slot("clamp")
                            .unrepresentable(Unrepresentable.CLAMP)
                            .build())
                    .run();
            String q = "SELECT id, f8, ts, n, nu FROM " + d.qualified("m") + " ORDER BY id";
            assertThat(d.rows(q))
                    .containsExactly(
                            maria ? "1|null|9999-12-31 23:59:59.999999|null|null" : "1|null|infinity|NaN|null",
                            maria
                                    ? "2|-1.7976931348623157e308|0001-01-01 00:00:00.000000|null|null"
                                    : "2|-Inf|-infinity|NaN|null",
                            maria ? "3|1.7976931348623157e308|null|null|Infinity" : "3|Inf|null|null|Infinity",
                            "4|null|null|null|-Infinity");
        }
    }

    @Test
    void anInfiniteTimestampStopsTheSyncByDefault(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE e (id int PRIMARY KEY, ts timestamp)",
                "INSERT INTO e VALUES (1, '2024-01-01'), (2, '-infinity')");
        try (Destination d = Destination.mariadb()) {
            assertThatThrownBy(() -> new SyncEngine(Destination.config(source, d)
                                    .untilCaughtUp(true)
                                    .build())
                            .run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("column ts")
                    .hasMessageContaining("key (id)=(2)")
                    .hasMessageContaining("choose the null or clamp policy")
                    .hasMessageNotContaining("infinity'");
        }
    }

    static Stream<Arguments> longKeys() {
        return Stream.of(
                Arguments.of("text", "repeat('é', 800)", "char_length", "768 characters"),
                Arguments.of("bytea", "decode(repeat('ab', 4000), 'hex')", "length", "3072 bytes"));
    }

    /**
     * A key longer than MariaDB's index allows stops the sync under the error and null policies (a key cannot be NULL)
     * and is cut to the limit under clamp. Regression (issue 7): a text key followed the policy, but a bytea key did
     * not: it reached the server, which refused it with its own error.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("longKeys")
    void aKeyLongerThanTheIndexAllowsFollowsThePolicy(
            String type, String longValue, String length, String limit, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE k (k " + type + " PRIMARY KEY, v int)",
                "INSERT INTO k VALUES ('1', 1), (" + longValue + ", 2)");
        for (Unrepresentable policy : List.of(Unrepresentable.ERROR, Unrepresentable.NULL)) {
            try (Destination d = Destination.mariadb()) {
                assertThatThrownBy(() -> new SyncEngine(Destination.config(source, d)
                                        .untilCaughtUp(true)
                                        .slot("k_" + policy.name().toLowerCase(Locale.ROOT))
                                        .unrepresentable(policy)
                                        .build())
                                .run())
                        .as("policy " + policy)
                        .isInstanceOf(PgFerryException.class)
                        .hasMessageContaining("column k")
                        .hasMessageContaining("longer than " + limit + " exceeds MariaDB's index limit");
            }
        }
        try (Destination d = Destination.mariadb()) {
            new SyncEngine(Destination.config(source, d)
                            .untilCaughtUp(true)
                            .slot("k_clamp")
                            .unrepresentable(Unrepresentable.CLAMP)
                            .build())
                    .run();
            assertThat(d.rows("SELECT v, " + length + "(k) FROM " + d.qualified("k") + " ORDER BY v"))
                    .containsExactly("1|1", "2|" + limit.split(" ")[0]);
        }
    }
}
