package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sequences the synced tables' defaults read reach the target with the source's options and values. Regression
 * (issue 5): a default of {@code nextval} of a sequence the column does not own (one made with {@code CREATE SEQUENCE},
 * perhaps shared by several tables, as schemas older than identity columns have) was left out, its sequence neither
 * created nor set, so rows inserted at the target once writes moved there got no value; and a serial column's sequence
 * was created as a {@code bigint} one with the default options, which runs past a {@code serial} column's range.
 */
@PgTest
class SequencesTest {
    private static final String SEQUENCES = "SELECT concat_ws(' ', schemaname, sequencename, data_type, start_value,"
            + " min_value, max_value, increment_by, cycle, cache_size, last_value) FROM pg_sequences ORDER BY 1";

    @Test
    void sequencesTheDefaultsReadComeWithTheSourcesOptionsAndValues(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SCHEMA app",
                "CREATE SCHEMA ids",
                "CREATE SEQUENCE ids.\"Order No\" AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000000"
                        + " START WITH 1000 CACHE 3",
                "CREATE SEQUENCE app.plain CYCLE",
                "CREATE TABLE app.orders (id int PRIMARY KEY DEFAULT nextval('ids.\"Order No\"'), note text,"
                        + " n bigint NOT NULL DEFAULT nextval('app.plain'), label text DEFAULT 'o-' ||"
                        + " nextval('app.plain'))",
                "CREATE TABLE app.returns (id int PRIMARY KEY DEFAULT nextval('ids.\"Order No\"'), s smallserial)",
                "INSERT INTO app.orders (note) SELECT 'x' FROM generate_series(1, 20)",
                "INSERT INTO app.returns SELECT FROM generate_series(1, 3)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE SCHEMA dst");
            SyncConfig config = CreatedTablesTest.appToDst(source, target);
            new SyncEngine(config).run();
            // The shared sequence in its own schema (not mapped, so created under its name), the one in the mapped
            // schema, and the serial column's, each with its type and options, set to the source's last value.
            assertThat(sequences(target))
                    .containsExactlyInAnyOrderElementsOf(sequences(source).stream()
                            .map(l -> l.replace("app ", "dst "))
                            .toList());
            assertThat(defaults(target, "dst.orders"))
                    .as("a default of nextval alone reads the target's sequence; one that does more is left out")
                    .containsExactly(
                            "id nextval('ids.\"Order No\"'::regclass)",
                            "note -",
                            "n nextval('dst.plain'::regclass)",
                            "label -");
            // Writes moved to the target go on where the source's sequences were (with CACHE 3, the source's session
            // took three values at a time: the sequence's last value is the last of those, as pg_dump reads it too).
            long orderNo = source.queryLong("SELECT last_value FROM ids.\"Order No\"");
            target.execute("INSERT INTO dst.orders (note) VALUES ('new')", "INSERT INTO dst.returns DEFAULT VALUES");
            assertThat(target.queryString("SELECT concat_ws('|', id, n) FROM dst.orders WHERE note = 'new'"))
                    .isEqualTo((orderNo + 5) + "|41");
            assertThat(target.queryString("SELECT concat_ws('|', id, s) FROM dst.returns ORDER BY id DESC LIMIT 1"))
                    .isEqualTo((orderNo + 10) + "|4");

            // The source moves on; setting the sequences alone brings the target's along, the shared one once.
            source.execute("INSERT INTO app.orders (note) SELECT 'y' FROM generate_series(1, 4)");
            assertThat(new SyncEngine(config).copySequences()).isEqualTo(3);
            assertThat(sequences(target))
                    .containsExactlyInAnyOrderElementsOf(sequences(source).stream()
                            .map(l -> l.replace("app ", "dst "))
                            .toList());
            assertThat(target.queryLong("SELECT last_value FROM dst.plain")).isEqualTo(48);
        }
    }

    /**
     * The sequences of a sync are read and set a few queries for all (issue 5: a round trip per sequence and side took
     * seconds for thousands of tables). Each keeps its own value and whether it was called: a serial column never
     * drawn from, one set back with {@code setval(..., false)}, identity columns, and names that need quotes.
     */
    @Test
    void eachSequenceKeepsItsValueAndWhetherItWasCalled(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SCHEMA app",
                "CREATE TABLE app.\"Never\" (id serial PRIMARY KEY)",
                "CREATE TABLE app.reset (id bigserial PRIMARY KEY)",
                "CREATE TABLE app.\"Ident Rows\" (\"Row Id\" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int)",
                "INSERT INTO app.reset SELECT FROM generate_series(1, 5)",
                "SELECT setval(pg_get_serial_sequence('app.reset', 'id'), 100, false)",
                "INSERT INTO app.\"Ident Rows\" (n) SELECT g FROM generate_series(1, 7) g");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE SCHEMA dst");
            SyncConfig config = CreatedTablesTest.appToDst(source, target);
            new SyncEngine(config).run();
            target.execute(
                    "INSERT INTO dst.\"Never\" DEFAULT VALUES",
                    "INSERT INTO dst.reset DEFAULT VALUES",
                    "INSERT INTO dst.\"Ident Rows\" (n) VALUES (8)");
            assertThat(target.queryString("SELECT max(id) FROM dst.\"Never\"")).isEqualTo("1");
            assertThat(target.queryString("SELECT max(id) FROM dst.reset")).isEqualTo("100");
            assertThat(target.queryString("SELECT max(\"Row Id\") FROM dst.\"Ident Rows\""))
                    .isEqualTo("8");
        }
    }

    @Test
    void aSequenceAnExistingTargetTableLacksIsLeftWithAWarningUntilItIsCreated(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SEQUENCE counter START 100",
                "CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT nextval('counter'))",
                "INSERT INTO t (id) SELECT i FROM generate_series(1, 5) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY, n int)");
            // Table t alone: a pattern picking counter would bring it as a sequence of its own (the test below).
            SyncConfig config = SyncConfig.builder()
                    .source(source.uri())
                    .target(target.uri())
                    .include("t")
                    .untilCaughtUp(true)
                    .build();
            new SyncEngine(config).run();
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'counter'"))
                    .as("an existing table is used as it is: nothing is created for it")
                    .isZero();
            target.execute("CREATE SEQUENCE counter");
            assertThat(new SyncEngine(config).copySequences()).isEqualTo(1);
            assertThat(target.queryLong("SELECT nextval('counter')")).isEqualTo(105);
        }
    }

    /**
     * Regression (issue 5): a sequence no column owns, one the application draws from with {@code nextval} (invoice
     * numbers), was neither created nor set, so once writes moved to the target it handed out numbers the source had
     * already given. The table patterns pick it as they pick tables; one owned by a column, or excluded, is left.
     */
    @Test
    void aSequenceNoColumnOwnsComesWhenThePatternsPickIt(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SCHEMA app",
                "CREATE SCHEMA other",
                "CREATE TABLE app.t (id int PRIMARY KEY)",
                "CREATE SEQUENCE app.invoice_no",
                "CREATE SEQUENCE app.\"Ticket Ids\" AS smallint INCREMENT BY 3 MINVALUE 7 START WITH 7 CACHE 2",
                "CREATE SEQUENCE app.skipped",
                "CREATE TABLE app.left_out (id int)",
                "CREATE SEQUENCE app.owned_elsewhere OWNED BY app.left_out.id",
                "CREATE SEQUENCE other.unpicked",
                "SELECT nextval('app.invoice_no') FROM generate_series(1, 41)",
                "SELECT setval('app.\"Ticket Ids\"', 13, false)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            // The table exists already: the sequences are created though no table is.
            target.execute("CREATE SCHEMA dst", "CREATE TABLE dst.t (id int PRIMARY KEY)");
            SyncConfig config = SyncConfig.builder()
                    .source(source.uri())
                    .target(target.uri())
                    .include("app.*")
                    .exclude(List.of("app.skipped", "app.left_out"))
                    .mapSchema("app", "dst")
                    .untilCaughtUp(true)
                    .build();
            new SyncEngine(config).run();
            assertThat(sequences(target))
                    .as("created in the mapped schema with the source's options, set to its value")
                    .containsExactlyInAnyOrder(
                            "dst Ticket Ids smallint 7 7 32767 3 f 2", // not called: no last value
                            "dst invoice_no bigint 1 1 9223372036854775807 1 f 1 41");
            assertThat(target.queryLong("SELECT nextval('dst.\"Ticket Ids\"')"))
                    .as("not called at the source: the next value is the one set")
                    .isEqualTo(13);

            // The application goes on drawing at the source; setting the sequences brings the target along.
            source.execute("SELECT nextval('app.invoice_no') FROM generate_series(1, 9)");
            assertThat(new SyncEngine(config).copySequences()).isEqualTo(2);
            assertThat(target.queryLong("SELECT nextval('dst.invoice_no')")).isEqualTo(51);
        }
    }

    private static List<String> sequences(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            return Rows.of(c, SEQUENCES);
        }
    }

    /** Each column of {@code table} with its default as the server prints it, {@code -} for none. */
    private static List<String> defaults(TestDatabase db, String table) throws SQLException {
        return CreatedTablesTest.printed(
                db,
                "SELECT a.attname || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') FROM pg_attribute a"
                        + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                        + " WHERE a.attrelid = '" + table + "'::regclass AND a.attnum > 0 ORDER BY a.attnum");
    }
}
