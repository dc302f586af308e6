package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A table outside schema public, with a name that needs quoting, copied and streamed into MariaDB and SQLite where
 * docs/destinations.md says it goes: by default and under a schema map. Issue #7.
 */
@PgTest
@Tag("mariadb")
class ForeignSchemasTest {
    private static final String ROWS = "SELECT id, v FROM \"Sales Ü\".\"Orders\" ORDER BY id";

    @Test
    void mariaDbPutsTheTableInTheUrisDatabaseOrInTheMappedOne(TestDatabase source) throws Exception {
        createSource(source);
        try (Destination d = Destination.mariadb()) {
            syncTwiceComparing(source, d, "`" + ((Destination.MariaDb) d).database() + "`.`Orders`", c -> c);
        }
        try (Destination d = Destination.mariadb();
                Destination other = Destination.mariadb()) {
            String db = ((Destination.MariaDb) other).database();
            syncTwiceComparing(
                    source, d, "`" + db + "`.`Orders`", c -> c.slot("mapped").mapSchema("Sales Ü", db));
            // The sync's records stay in the URI's database; the data went to the mapped one.
            assertThat(d.rows("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                            + ((Destination.MariaDb) d).database() + "' AND table_name = 'Orders'"))
                    .containsExactly("0");
            assertThat(d.rows("SELECT count(*) FROM pgferry_sync_progress")).containsExactly("1");
        }
    }

    @Test
    void sqlitePrefixesTheTableWithItsSchemaOrTheMappedPrefix(TestDatabase source) throws Exception {
        createSource(source);
        try (Destination d = Destination.sqlite()) {
            syncTwiceComparing(source, d, "\"Sales Ü_Orders\"", c -> c);
        }
        try (Destination d = Destination.sqlite()) {
            syncTwiceComparing(source, d, "\"x_Orders\"", c -> c.slot("mapped").mapSchema("Sales Ü", "x_"));
            assertThat(d.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%Orders'"))
                    .containsExactly("x_Orders");
        }
    }

    private static void createSource(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SCHEMA \"Sales Ü\"",
                "CREATE TABLE \"Sales Ü\".\"Orders\" (id int PRIMARY KEY, v text)",
                "CREATE TABLE public.\"Orders\" (id int PRIMARY KEY)",
                "INSERT INTO \"Sales Ü\".\"Orders\" SELECT i, 'v' || i FROM generate_series(1, 100) i");
    }

    /** Copies, then streams an insert, an update and a delete; the table at {@code where} equals the source's. */
    private static void syncTwiceComparing(
            TestDatabase source, Destination d, String where, UnaryOperator<SyncConfig.Builder> more) throws Exception {
        SyncConfig config = more.apply(
                        Destination.config(source, d).include("\"Sales Ü\".*").untilCaughtUp(true))
                .build();
        new SyncEngine(config).run();
        assertThat(d.rows("SELECT id, v FROM " + where + " ORDER BY id")).isEqualTo(Databases.query(source, ROWS));
        source.execute(
                "INSERT INTO \"Sales Ü\".\"Orders\" VALUES (101, 'new')",
                "UPDATE \"Sales Ü\".\"Orders\" SET v = 'changed' WHERE id = 1",
                "DELETE FROM \"Sales Ü\".\"Orders\" WHERE id = 2");
        new SyncEngine(config).run();
        List<String> rows = d.rows("SELECT id, v FROM " + where + " ORDER BY id");
        assertThat(rows).isEqualTo(Databases.query(source, ROWS)).contains("1|changed", "101|new");
        source.execute(
                "DELETE FROM \"Sales Ü\".\"Orders\" WHERE id = 101",
                "UPDATE \"Sales Ü\".\"Orders\" SET v = 'v1' WHERE id = 1",
                "INSERT INTO \"Sales Ü\".\"Orders\" VALUES (2, 'v2')");
    }
}
