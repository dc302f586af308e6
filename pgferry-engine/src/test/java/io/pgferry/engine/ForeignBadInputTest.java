package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input for syncs into MariaDB and SQLite (issue 7): refused with one line naming the problem and the fix, before
 * anything is created at either end.
 */
@PgTest
@Tag("mariadb")
class ForeignBadInputTest {

    /** A sync of {@code source} into {@code d} is refused, and leaves both ends as they were. */
    private static void assertRefused(
            TestDatabase source, Destination d, SyncConfig.Builder config, String tables, String problem, String fix)
            throws Exception {
        SyncEngine e = new SyncEngine(config.build());
        SyncBadInputTest.assertRefusedAtSource(source, e::run, problem, fix);
        assertThat(d.rows(tables)).containsExactly("0");
    }

    /**
     * Regression (issue 7): a schema map naming a MySQL database that does not exist failed on the driver's "Unknown
     * database" once the sync's own tables were made, naming neither the source table nor the map.
     */
    @Test
    void schemaMapToAMissingMariaDbDatabase(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (Destination d = Destination.mariadb()) {
            assertRefused(
                    source,
                    d,
                    Destination.config(source, d).mapSchema("public", "no_such_db"),
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()",
                    "database no_such_db does not exist at",
                    "create database no_such_db, or map schema public to one that exists");
        }
    }

    /**
     * Regression (issue 5): a first start from a publication of the user's that leaves out a matched table was refused
     * by the stream's set-up, after the destination's tables and the sync's own were made.
     */
    @Test
    void aPublicationOfTheUsersThatLeavesOutAMatchedTable(TestDatabase source) throws Exception {
        SyncBadInputTest.publicationMineLeavingOutB(source);
        try (Destination d = Destination.sqlite()) {
            SyncEngine e = new SyncEngine(
                    Destination.config(source, d).publication("mine").build());
            assertThatThrownBy(e::run).isInstanceOfSatisfying(PgFerryException.class, x -> assertThat(x.problem())
                    .isEqualTo("publication mine exists but does not publish public.b"));
            assertThat(d.rows("SELECT count(*) FROM sqlite_master WHERE type = 'table'"))
                    .containsExactly("0");
        }
    }

    /**
     * An existing destination table is checked column by column against the type mapping: one that cannot hold a
     * source column's values is refused naming the table, the column and the mismatch, before anything is created;
     * one that can is used as it is, its own extra column left alone. Issue #7.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = ';',
            value = {
                "mariadb;amount INT;is int(11), which cannot hold numeric(12,2) (expected DECIMAL(12,2));"
                        + "amount DECIMAL(14,2), note VARCHAR(200), extra INT",
                "sqlite;amount REAL;is real but text is needed;amount TEXT, note TEXT, extra INTEGER"
            })
    void anExistingTableIsCheckedAgainstTheTypeMapping(
            String kind, String badColumn, String mismatch, String goodColumns, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(12,2), note text)",
                "INSERT INTO orders VALUES (1, 12.5, 'a'), (2, NULL, 'b')");
        String count = kind.equals("mariadb")
                ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                : "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
        String strict = kind.equals("sqlite") ? " STRICT" : "";
        try (Destination d = ForeignSyncTest.open(kind)) {
            d.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, " + badColumn + ", note TEXT)" + strict);
            assertRefused(
                    source,
                    d,
                    Destination.config(source, d),
                    count.replace("count(*)", "count(*) - 1"),
                    "column amount of target table " + (d instanceof Destination.MariaDb m ? m.database() : "main")
                            + ".orders " + mismatch,
                    "change the column, or drop the table to let the sync create it");
            d.execute(
                    "DROP TABLE orders", "CREATE TABLE orders (id INTEGER PRIMARY KEY, " + goodColumns + ")" + strict);
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows("SELECT id, amount, note, extra FROM " + d.qualified("orders") + " ORDER BY id"))
                    .containsExactly("1|12.50|a|null", "2|null|b|null");
        }
    }

    /**
     * Regression (issue 7): source tables {@code "T"} and {@code t} both went to SQLite, where they are one table, and
     * their rows were mixed there; the clash check compared names with their case.
     */
    @Test
    void twoSourceTablesWhoseNamesDifferOnlyInCaseIntoSqlite(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE \"T\" (id int PRIMARY KEY)", "CREATE TABLE t (id int PRIMARY KEY)");
        try (Destination d = Destination.sqlite()) {
            assertRefused(
                    source,
                    d,
                    Destination.config(source, d),
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    "would both go to",
                    "map one of their schemas elsewhere");
        }
    }

    /**
     * Regression (issue 5): a second sync of the same tables under another slot name applied every change a second
     * time into the first one's tables; it is refused before it creates anything.
     */
    @Test
    void aSecondSyncUnderAnotherSlotIntoTheSameSqliteTables(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 10)");
        try (Destination d = Destination.sqlite()) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            SyncEngine second = new SyncEngine(Destination.config(source, d)
                    .slot("second")
                    .publication("second")
                    .untilCaughtUp(true)
                    .build());
            assertThatThrownBy(second::run).isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.problem())
                    .contains("is written by sync " + SyncConfig.Builder.DEFAULT_SLOT));
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second'"))
                    .isZero();
            assertThat(d.rows("SELECT count(*) FROM pgferry_table_state WHERE sync_name = 'second'"))
                    .containsExactly("0");
            assertThat(d.rows("SELECT count(*) FROM t")).containsExactly("10");
        }
    }
}
