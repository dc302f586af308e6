package io.pgferry.verify.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * diff between two databases on two servers, nothing installed: sparse, composite, text and uuid keys, with a small
 * threshold and factor so that the bisection goes several levels deep. Issue #6.
 */
@PgTest
@Tag("verify")
class DifferTest {

    private static final String[] SAME = {
        "CREATE TABLE sparse (id bigint PRIMARY KEY, v text)",
        "INSERT INTO sparse SELECT (i - 20000)::bigint * 1000003 + (i % 7), md5(i::text) FROM generate_series(1, 40000) i",
        "INSERT INTO sparse VALUES (-9223372036854775808, 'min'), (9223372036854775807, 'max')",
        "CREATE TABLE comp (a int, b text, c date, n numeric, PRIMARY KEY (a, b, c))",
        "INSERT INTO comp SELECT i % 13, 'k' || (i % 101), date '2026-01-01' + (i % 17), i * 0.5"
                + " FROM generate_series(1, 30000) i ON CONFLICT DO NOTHING",
        "CREATE TABLE \"Texts\" (k text PRIMARY KEY, v int)",
        "INSERT INTO \"Texts\" SELECT 'key ' || i || CASE WHEN i % 3 = 0 THEN ' ''q''' ELSE ' ü' END, i"
                + " FROM generate_series(1, 5000) i",
        "CREATE TABLE uids (id uuid PRIMARY KEY, n int)",
        "INSERT INTO uids SELECT md5(i::text)::uuid, i FROM generate_series(1, 20000) i",
        "CREATE TABLE nokey (v int)",
    };

    @Test
    void findsExactlyTheDifferingRowsOfEveryKeyShape(TestDatabase source) throws Exception {
        source.execute(SAME);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(SAME);
            target.execute(
                    "UPDATE sparse SET v = 'changed' WHERE id = " + ((12345L - 20000) * 1000003 + 12345 % 7),
                    "DELETE FROM sparse WHERE id = 9223372036854775807",
                    "INSERT INTO sparse VALUES (5, 'extra')",
                    "UPDATE comp SET n = -1 WHERE a = 5 AND b = 'k77' AND c = (SELECT min(c) FROM comp WHERE a = 5"
                            + " AND b = 'k77')",
                    "DELETE FROM \"Texts\" WHERE k = 'key 300 ''q'''",
                    "UPDATE uids SET n = NULL WHERE id = md5('777')::uuid",
                    "INSERT INTO uids VALUES ('00000000-0000-0000-0000-000000000000', 0)");
            DiffOptions options =
                    new DiffOptions(Dsn.parse(source.uri()), Dsn.parse(target.uri()), List.of(), 4, 50, 1000);
            DiffReport report = Differ.run(options);

            assertThat(report.tables())
                    .extracting(t -> t.schema() + "." + t.table())
                    .containsExactly("public.Texts", "public.comp", "public.sparse", "public.uids");
            assertThat(rows(report, "sparse"))
                    .containsExactlyInAnyOrder(
                            ((12345L - 20000) * 1000003 + 12345 % 7) + ":changed:v",
                            "9223372036854775807:missing_on_subscriber",
                            "5:missing_on_publisher");
            assertThat(rows(report, "comp")).hasSize(1).allMatch(r -> r.endsWith(":changed:n"));
            assertThat(rows(report, "Texts")).containsExactly("key 300 'q':missing_on_subscriber");
            assertThat(rows(report, "uids"))
                    .containsExactlyInAnyOrder(
                            "00000000-0000-0000-0000-000000000000:missing_on_publisher",
                            uuid777(source) + ":changed:n");
            DiffReport.TableDiff sparse = table(report, "sparse");
            assertThat(sparse.sourceRows()).isEqualTo(40002);
            assertThat(sparse.targetRows()).isEqualTo(40002);
            assertThat(sparse.queries()).isGreaterThan(3);

            // Equal tables cost one grouped query (plus the split points).
            DiffReport same = Differ.run(options.withTables(List.of(new TableName("public", "nokey"))));
            assertThat(same.comparable()).isFalse();
            assertThat(same.tables().get(0).problems().get(0)).contains("has no primary key");
        }
    }

    @Test
    void equalTablesAreOneQueryEach(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 10000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(
                    "CREATE TABLE t (v text, id int PRIMARY KEY)",
                    "INSERT INTO t (id, v) SELECT i, 'v' FROM generate_series(1, 10000) i",
                    "ALTER DATABASE " + target.name() + " SET TimeZone = 'America/Lima'");
            DiffReport r = Differ.run(DiffOptions.defaults(Dsn.parse(source.uri()), Dsn.parse(target.uri())));
            assertThat(r.differences()).isZero();
            assertThat(r.tables().get(0).queries()).isEqualTo(2);
            target.execute("ALTER TABLE t ADD COLUMN w int");
            DiffReport columns = Differ.run(DiffOptions.defaults(Dsn.parse(source.uri()), Dsn.parse(target.uri())));
            assertThat(columns.tables().get(0).problems().get(0)).contains("the columns differ");
        }
    }

    /**
     * Regression, issue #6: two rows that swapped a column's values summed to the same segment hash (row hashes
     * combine columns linearly and were summed unmixed), so diff reported the tables equal.
     */
    @Test
    void twoRowsThatSwappedAColumnsValuesDiffer(TestDatabase source) throws Exception {
        String[] same = {
            "CREATE TABLE t (id int PRIMARY KEY, v text)",
            "INSERT INTO t SELECT i, 'value ' || i FROM generate_series(1, 5000) i",
        };
        source.execute(same);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(same);
            target.execute("UPDATE t SET v = CASE id WHEN 100 THEN 'value 101' ELSE 'value 100' END"
                    + " WHERE id IN (100, 101)");
            DiffReport r = Differ.run(DiffOptions.defaults(Dsn.parse(source.uri()), Dsn.parse(target.uri())));
            assertThat(rows(r, "t")).containsExactlyInAnyOrder("100:changed:v", "101:changed:v");
        }
    }

    private static String uuid777(TestDatabase db) throws Exception {
        return db.queryString("SELECT md5('777')::uuid::text");
    }

    private static DiffReport.TableDiff table(DiffReport r, String name) {
        return r.tables().stream()
                .filter(t -> t.table().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> rows(DiffReport r, String table) {
        return table(r, table).rows().stream()
                .map(d -> String.join(",", d.key().values()) + ":" + d.kind().wireName()
                        + (d.kind() == io.pgferry.verify.inspect.RowDiff.Kind.CHANGED
                                ? ":" + String.join(",", d.columns())
                                : ""))
                .toList();
    }
}
