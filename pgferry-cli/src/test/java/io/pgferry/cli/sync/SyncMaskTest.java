package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.MaskFiles;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry sync --mask FILE}: values are masked before any target sees them, in the initial copy and in the
 * stream alike, for a PostgreSQL and a foreign target; a lossy mask on a key is refused at start.
 */
@PgTest
@Tag("scan")
class SyncMaskTest {

    @TempDir
    Path dir;

    private static void createSource(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE customers (id int PRIMARY KEY, email text, card text, ssn text, note text)",
                "ALTER TABLE customers REPLICA IDENTITY FULL",
                "INSERT INTO customers VALUES (1, 'jane@example.org', '4111111111111111', '219-09-9999',"
                        + " 'paid with 4111 1111 1111 1111 today')");
    }

    @Test
    void copyAndStreamAreMaskedAtAPostgresTarget(TestDatabase source) throws Exception {
        createSource(source);
        Path masks = MaskFiles.write(dir, MaskFiles.CUSTOMERS);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String[] sync = {
                "sync",
                "--source",
                source.uri(),
                "--target",
                target.uri(),
                "--tables",
                "public.customers",
                "--mask",
                masks.toString(),
                "--until-caught-up"
            };
            CliRun first = CliRun.run(sync);
            assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.OK);
            source.execute(
                    "INSERT INTO customers VALUES (2, 'john@example.org', '5555555555554444', NULL, 'no card')",
                    // Under REPLICA IDENTITY FULL the old row finds the target row: it must be masked alike.
                    "UPDATE customers SET note = 'card 5555 5555 5555 4444 on file' WHERE id = 1",
                    "DELETE FROM customers WHERE id = 2",
                    "INSERT INTO customers VALUES (3, 'jane@example.org', '378282246310005', '078-05-1120', 'x')");
            CliRun second = CliRun.run(sync);
            assertThat(second.exitCode()).as(second.err()).isEqualTo(ExitCodes.OK);

            assertThat(target.queryLong("SELECT count(*) FROM customers")).isEqualTo(2);
            String row1 =
                    target.queryString("SELECT email || '|' || card || '|' || coalesce(ssn, 'NULL') || '|' || note"
                            + " FROM customers WHERE id = 1");
            String row3 = target.queryString(
                    "SELECT email || '|' || card || '|' || coalesce(ssn, 'NULL')" + " FROM customers WHERE id = 3");
            String[] r1 = row1.split("\\|");
            assertThat(r1[0]).matches("[0-9a-f]{32}");
            assertThat(r1[1]).isEqualTo("41************11");
            assertThat(r1[2]).isEqualTo("NULL");
            assertThat(r1[3]).isEqualTo("card ******************* on file");
            // The keyed hash is the same for the same address, copied or streamed.
            assertThat(row3.split("\\|")[0]).isEqualTo(r1[0]);
            assertThat(row3.split("\\|")[1]).isEqualTo("37***********05");
            String all = target.queryString("SELECT string_agg(t::text, ' ') FROM customers t");
            assertThat(all).doesNotContain("jane@", "4111", "5555 5555", "219-09", "078-05");
        }
    }

    @Test
    void aSqliteTargetGetsMaskedValuesToo(TestDatabase source) throws Exception {
        createSource(source);
        Path masks = MaskFiles.write(dir, MaskFiles.CUSTOMERS);
        Path db = dir.resolve("target.db");
        CliRun run = CliRun.run(
                "sync",
                "--source",
                source.uri(),
                "--target",
                "sqlite:" + db,
                "--tables",
                "public.customers",
                "--mask",
                masks.toString(),
                "--until-caught-up");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT email, card, ssn, note FROM customers")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).matches("[0-9a-f]{32}");
            assertThat(rs.getString(2)).isEqualTo("41************11");
            assertThat(rs.getString(3)).isNull();
            assertThat(rs.getString(4)).isEqualTo("paid with ******************* today");
        }
    }

    /** A partial mask maps many values to one: on a key it would merge rows, so it is refused before anything. */
    @Test
    void aLossyMaskOnAKeyIsRefusedAtStart(TestDatabase source) throws Exception {
        createSource(source);
        source.execute("CREATE UNIQUE INDEX ON customers (email)");
        Path masks =
                MaskFiles.write(dir, "columns:\n  - table: customers\n    column: email\n    transform: partial\n");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            CliRun run = CliRun.run(
                    "sync",
                    "--source",
                    source.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.customers",
                    "--mask",
                    masks.toString(),
                    "--until-caught-up");
            assertThat(run.exitCode()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l)
                    .contains("public.customers.email can map two values to one", "transform: hash"));
            assertThat(target.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'customers'"))
                    .isZero();
            assertThat(source.queryLong(
                            "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                    .isZero();
        }
    }

    @Test
    void aBrokenMaskFileIsAUsageError(TestDatabase source) throws Exception {
        Path masks =
                MaskFiles.write(dir, "columns:\n  - table: customers\n    column: email\n    transform: scramble\n");
        CliRun run = CliRun.run(
                "sync",
                "--source",
                source.uri(),
                "--target",
                "sqlite:" + dir.resolve("x.db"),
                "--mask",
                masks.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("columns #1 has transform 'scramble'");
    }
}
