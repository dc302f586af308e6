package io.pgferry.postgres.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

@PgTest
class ConnectionsTest {
    @Test
    void opensOrdinaryAndReplicationConnections(TestDatabase db) throws SQLException {
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = Connections.open(dsn);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database(), current_setting('application_name')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(db.name());
            assertThat(rs.getString(2)).isEqualTo("pgferry");
        }
        PGConnection pg = Connections.openReplication(dsn);
        try (Connection c = (Connection) pg;
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("dbname")).isEqualTo(db.name());
        }
    }

    /**
     * Issue 5: a session of a role that a row-level security policy applies to read only the rows the policy showed,
     * without an error, so a copy, a scan or a comparison of a whole table could miss rows. It now fails instead.
     */
    @Test
    void aReadThatARowSecurityPolicyWouldFilterFails(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "INSERT INTO t SELECT generate_series(1, 10)",
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY few ON t USING (id <= 5)");
        String role = db.createRole("ferry_rls_read", "pw", "LOGIN");
        db.execute("GRANT SELECT ON t TO " + role);
        Dsn as = Dsn.parse("postgresql://" + role + ":pw@" + db.server().host() + ":"
                + db.server().port() + "/" + db.name());
        try (Connection c = Connections.open(as);
                Statement st = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> st.executeQuery("SELECT count(*) FROM t"));
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(Connections.classify(e, as).fix()).contains("ALTER ROLE \"" + role + "\" BYPASSRLS");
        }
        db.execute("ALTER ROLE " + role + " BYPASSRLS");
        try (Connection c = Connections.open(as);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(10);
        }
    }

    /**
     * Issue 5: pgferry's sessions took the database's settings for the text form of values and for timeouts. Its
     * ordinary and replication sessions now hold their own, whatever the database sets.
     */
    @Test
    void sessionsHoldTheirOwnSettingsWhateverTheDatabaseSets(TestDatabase db) throws SQLException {
        for (String setting : new String[] {
            "IntervalStyle = 'sql_standard'",
            "extra_float_digits = 0",
            "statement_timeout = '5min'",
            "lock_timeout = '1s'",
            "idle_in_transaction_session_timeout = '1min'",
            "row_security = on"
        }) {
            db.execute("ALTER DATABASE " + db.name() + " SET " + setting);
        }
        String query = "SELECT current_setting('IntervalStyle') || ' ' || current_setting('extra_float_digits') || ' '"
                + " || current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' '"
                + " || current_setting('idle_in_transaction_session_timeout') || ' ' || current_setting('row_security')";
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = Connections.open(dsn);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("postgres 3 0 0 0 off");
        }
        PGConnection pg = Connections.openReplication(dsn);
        try (Connection c = (Connection) pg;
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("postgres 3 0 0 0 off");
        }
    }

    @Test
    void keyValueDsnAndVerifiedTls(TestDatabase db, PostgresServer server) throws SQLException {
        try (Connection c = Connections.open(Dsn.parse(db.keyValueDsn()))) {
            assertThat(c.isValid(5)).isTrue();
        }
        Dsn verified =
                Dsn.parse(db.keyValueDsn() + " sslmode=verify-full sslrootcert='" + server.caCertificate() + "'");
        try (Connection c = Connections.open(verified);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        }
        try (Connection c = Connections.open(Dsn.parse(db.keyValueDsn() + " sslmode=disable"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
        }
    }

    @Test
    void wrongPassword(TestDatabase db) {
        PostgresServer s = db.server();
        Dsn dsn = Dsn.parse("postgresql://postgres:not-the-password@" + s.host() + ":" + s.port() + "/" + db.name());
        assertThatThrownBy(() -> Connections.open(dsn)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).startsWith("password authentication failed for user \"postgres\"");
            assertThat(e.fix()).isEqualTo("check the password in the DSN");
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).doesNotContain("not-the-password").doesNotContain("\n");
        });
    }

    @Test
    void missingDatabase(TestDatabase db) {
        Dsn dsn = Dsn.parse(db.uri()).withDbname("pgferry_h4_no_such_db");
        assertThatThrownBy(() -> Connections.open(dsn)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).startsWith("database \"pgferry_h4_no_such_db\" does not exist");
            assertThat(e.fix()).contains("CREATE DATABASE");
        });
    }

    @Test
    void unreachableHostIsRetriable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Dsn dsn = Dsn.parse("host=127.0.0.1 port=" + port + " user=u password=p connect_timeout=5");
        assertThatThrownBy(() -> Connections.open(dsn)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).startsWith("cannot reach 127.0.0.1:" + port + ": ");
            assertThat(e.fix()).contains("listen_addresses");
            assertThat(e.isRetriable()).isTrue();
        });
    }

    /**
     * A server that dies during the TLS handshake (it answered the SSLRequest, then the connection broke) is an
     * outage to wait out, not wrong TLS settings: a sync whose target crashed stopped for good on "SSL error: Broken
     * pipe" (regression, issue 5).
     */
    @Test
    void aConnectionCutDuringTheTlsHandshakeIsRetriable() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().readNBytes(8); // SSLRequest: length 8, code 80877103
                    s.getOutputStream().write('S');
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    // the client gave up first: the assertion below reports what it saw
                }
            });
            peer.start();
            Dsn dsn = Dsn.parse("host=127.0.0.1 port=" + listener.getLocalPort()
                    + " user=u password=p sslmode=require connect_timeout=5");
            assertThatThrownBy(() -> Connections.open(dsn)).isInstanceOfSatisfying(PgFerryException.class, e -> {
                assertThat(e.problem()).startsWith("cannot reach 127.0.0.1:" + listener.getLocalPort() + ": ");
                assertThat(e.isRetriable()).isTrue();
            });
            peer.join(10_000);
        }
    }

    @Test
    void replicationWithoutTheRight(TestDatabase db) throws SQLException {
        String role = db.createRole("pgferry_h4_cn_plain", "pw-plain", "LOGIN");
        Dsn dsn = as(db, role, "pw-plain");
        try (Connection c = Connections.open(dsn)) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThatThrownBy(() -> Connections.openReplication(dsn)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).startsWith("role \"pgferry_h4_cn_plain\" may not use replication");
            assertThat(e.fix()).startsWith("ALTER ROLE \"pgferry_h4_cn_plain\" WITH REPLICATION");
            assertThat(e.getMessage()).doesNotContain("\n");
        });
    }

    @Test
    void otherServerErrorsAreOneLine(TestDatabase db) throws SQLException {
        Dsn dsn = Dsn.parse(db.uri());
        try (Connection c = Connections.open(dsn);
                Statement st = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("SELECT * FROM no_such_table"));
            PgFerryException p = Connections.classify(e, dsn);
            assertThat(p.problem()).startsWith("database error 42P01: ").contains("no_such_table");
            assertThat(p.getMessage()).doesNotContain("\n");
            assertThat(p.isRetriable()).isFalse();
        }
    }

    private static Dsn as(TestDatabase db, String user, String password) {
        PostgresServer s = db.server();
        return Dsn.parse("host=" + s.host() + " port=" + s.port() + " dbname=" + db.name() + " user='" + user
                + "' password='" + password + "'");
    }
}
