package io.pgferry.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@PgTest
class CheckCommandTest {
    static String dsnAs(TestDatabase db, String user, String password) {
        PostgresServer s = db.server();
        return "postgresql://" + user + ":" + password + "@" + s.host() + ":" + s.port() + "/" + db.name();
    }

    @Test
    void readySourceExitsZero(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE orders (id int PRIMARY KEY)", "CREATE PUBLICATION pub FOR TABLE orders");
        CliRun r = CliRun.run("check", "--source", db.uri(), "--publication", "pub");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.outLines()).first().asString().startsWith("source: postgresql://postgres:****@");
        assertThat(r.out())
                .contains("[OK] server version: PostgreSQL " + db.server().majorVersion())
                .contains("[OK] wal_level: logical")
                .contains("[OK] role postgres: is a superuser")
                .contains("[OK] replication connection: accepted")
                .contains("[OK] publication pub: 1 table")
                .contains("[OK] table public.orders: readable, replica identity default (primary key)")
                .doesNotContain(db.server().password());
        assertThat(r.outLines()).last().isEqualTo("ready");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void keyValueDsnWithVerifiedTls(TestDatabase db, PostgresServer server) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        String dsn = db.keyValueDsn() + " sslmode=verify-full sslrootcert='" + server.caCertificate() + "'";
        CliRun r = CliRun.run("check", "--source", dsn, "--tables", "t");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("sslmode=verify-full").doesNotContain(server.password());
    }

    @Test
    void notReadyExitsOneWithTheFixes(TestDatabase db) throws SQLException {
        db.createRole("pgferry_h4_cli_plain", "pw-plain", "LOGIN");
        db.execute("CREATE TABLE nokey (v text)", "GRANT SELECT ON nokey TO pgferry_h4_cli_plain");
        CliRun r = CliRun.run("check", "--source", dsnAs(db, "pgferry_h4_cli_plain", "pw-plain"), "--tables", "nokey");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.NOT_READY);
        assertThat(r.out())
                .contains("[FAIL] role pgferry_h4_cli_plain: has neither the REPLICATION attribute nor superuser"
                        + " -> fix: ALTER ROLE \"pgferry_h4_cli_plain\" WITH REPLICATION")
                .contains("[FAIL] table public.nokey: has no primary key and REPLICA IDENTITY DEFAULT")
                .contains("-> fix: ALTER TABLE \"public\".\"nokey\" REPLICA IDENTITY FULL; or add a primary key")
                .doesNotContain("pw-plain");
        assertThat(r.outLines()).last().isEqualTo("not ready");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void unknownPublicationAndUnknownTable(TestDatabase db) {
        CliRun pub = CliRun.run("check", "--source", db.uri(), "--publication", "nopub");
        assertThat(pub.exitCode()).isEqualTo(ExitCodes.NOT_READY);
        assertThat(pub.out()).contains("[FAIL] publication nopub: does not exist -> fix: CREATE PUBLICATION \"nopub\"");

        CliRun table = CliRun.run("check", "--source", db.uri(), "--tables", "public.missing,\"Odd Name\"");
        assertThat(table.exitCode()).isEqualTo(ExitCodes.NOT_READY);
        assertThat(table.out())
                .contains("[FAIL] table public.missing: does not exist -> fix: check the name")
                .contains("[FAIL] table public.\"Odd Name\": does not exist");
    }

    /** Check and stream share the one server this needs: starting a second PostgreSQL takes seconds. */
    @Test
    void walLevelReplicaFailsCheckAndStreamCreatesNothing(@TempDir Path dir) throws SQLException {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .fsync(false)
                        .setting("wal_level", "replica")
                        .start();
                Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties())) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            }
            String dsn = pg.uri("postgres");
            String fix = "ALTER SYSTEM SET wal_level = logical and restart PostgreSQL";

            CliRun check = CliRun.run("check", "--source", dsn, "--tables", "t");
            assertThat(check.exitCode()).as(check.err()).isEqualTo(ExitCodes.NOT_READY);
            assertThat(check.out())
                    .contains(
                            "[FAIL] wal_level: is replica; logical decoding needs wal_level = logical -> fix: " + fix);
            assertThat(check.outLines()).last().isEqualTo("not ready");

            // --output keeps the stream off this JVM's real standard output.
            CliRun stream = CliRun.run(
                    "stream",
                    "--source",
                    dsn,
                    "--tables",
                    "t",
                    "--output",
                    dir.resolve("out.jsonl").toString());
            assertThat(stream.exitCode()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(stream.errLines())
                    .singleElement()
                    .asString()
                    .startsWith("pgferry: error: wal_level is replica; logical decoding needs wal_level = logical;"
                            + " fix: " + fix);
            assertThat(queryLong(c, "SELECT count(*) FROM pg_publication")).isZero();
            assertThat(queryLong(c, "SELECT count(*) FROM pg_replication_slots"))
                    .isZero();
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void wrongPasswordIsOneLineExitThree(TestDatabase db) {
        CliRun r = CliRun.run("check", "--source", dsnAs(db, "postgres", "wrong-pw-123"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(r.errLines())
                .containsExactly("pgferry: error: password authentication failed for user \"postgres\" at "
                        + db.server().host() + ":" + db.server().port() + "; fix: check the password in the DSN");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unreachableHostIsOneLineNonZero() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliRun r = CliRun.run("check", "--source", "postgresql://u:pw-secret@127.0.0.1:" + port + "/db");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err())
                .startsWith("pgferry: error: cannot reach 127.0.0.1:" + port + ": ")
                .contains("; fix: check host/port and that PostgreSQL listens there (listen_addresses, firewall)")
                .doesNotContain("pw-secret");
    }

    @Test
    void missingDatabaseIsOneLine(TestDatabase db) {
        PostgresServer s = db.server();
        CliRun r = CliRun.run("check", "--source", db.keyValueDsn() + " dbname=pgferry_h4_nodb");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(r.errLines())
                .containsExactly("pgferry: error: database \"pgferry_h4_nodb\" does not exist at " + s.host() + ":"
                        + s.port() + "; fix: check dbname in the DSN, or CREATE DATABASE \"pgferry_h4_nodb\"");
    }
}
