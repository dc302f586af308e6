package io.pgferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

@PgTest
class PostgresExtensionTest {
    private static final List<String> REPEATED_DATABASES = new CopyOnWriteArrayList<>();
    private static final String LEFTOVER_ROLE = "pgferry_kit_leftover";
    private static final String LEFTOVER_SLOT = "pgferry_kit_leftover";

    private TestDatabase fromBeforeEach;

    @BeforeEach
    void rememberDatabase(TestDatabase db) {
        fromBeforeEach = db;
    }

    @Test
    void serverRunsWithLogicalDecodingAndTheConfiguredMajorVersion(TestDatabase db, PostgresServer server)
            throws SQLException {
        assertThat(db.queryString("SHOW wal_level")).isEqualTo("logical");
        assertThat(server.settingValue("wal_level")).isEqualTo("logical");
        assertThat(server.settingValue("fsync")).isEqualTo("off");
        assertThat(db.queryString("SELECT current_database()")).isEqualTo(db.name());
        assertThat(db.queryLong("SELECT current_setting('server_version_num')::int / 10000"))
                .isEqualTo(server.majorVersion());
        assertThat(server.majorVersion()).isEqualTo(Integer.parseInt(System.getProperty("pg.version", "17")));
        assertThat(server).isSameAs(PostgresServer.shared());
        assertThat(db).isSameAs(fromBeforeEach);
    }

    @RepeatedTest(2)
    void eachTestGetsAFreshDatabaseAndLeftoversAreCleanedUp(TestDatabase db, RepetitionInfo repetition)
            throws SQLException {
        assertThat(db.name()).matches("t_[0-9a-f]{12}");
        if (repetition.getCurrentRepetition() == 1) {
            REPEATED_DATABASES.add(db.name());
            // Everything that would block DROP DATABASE or outlive it: an open session, a slot, a role.
            db.createRole(LEFTOVER_ROLE, "secret", "LOGIN");
            db.execute(
                    "CREATE TABLE owned (id int)",
                    "ALTER TABLE owned OWNER TO " + LEFTOVER_ROLE,
                    "SELECT pg_create_logical_replication_slot('" + LEFTOVER_SLOT + "', 'pgoutput')");
            Connection leaked = db.connect();
            assertThat(leaked.isValid(5)).isTrue();
            return;
        }
        String previous = REPEATED_DATABASES.get(0);
        assertThat(db.name()).isNotEqualTo(previous);
        assertThat(db.queryLong("SELECT count(*) FROM pg_database WHERE datname = '" + previous + "'"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + LEFTOVER_SLOT + "'"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_roles WHERE rolname = '" + LEFTOVER_ROLE + "'"))
                .isZero();
    }

    @Test
    void replicationConnectionRunsIdentifySystem(TestDatabase db) throws SQLException {
        String role = db.createRole("pgferry_kit_replicator", "s3cr'et pass", "LOGIN", "REPLICATION");
        Properties properties = db.jdbcProperties();
        properties.setProperty("user", role);
        properties.setProperty("password", "s3cr'et pass");
        properties.setProperty("replication", "database");
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "9.4");
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), properties);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString("systemid")).matches("\\d+");
            assertThat(result.getInt("timeline")).isEqualTo(1);
            assertThat(result.getString("xlogpos")).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(result.getString("dbname")).isEqualTo(db.name());
        }
    }

    @Test
    void tlsConnectionVerifiesTheServerCertificate(TestDatabase db, PostgresServer server) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", server.superuser());
        properties.setProperty("password", server.password());
        properties.setProperty("sslmode", "verify-full");
        properties.setProperty("sslrootcert", server.caCertificate().toString());
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), properties);
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getBoolean("ssl")).isTrue();
            assertThat(result.getString("version")).startsWith("TLSv1.");
        }
    }

    @Test
    void connectionStringsNameTheDatabase(TestDatabase db, PostgresServer server) {
        String credentials = server.superuser() + ":" + server.password();
        assertThat(db.uri())
                .isEqualTo("postgresql://" + credentials + "@127.0.0.1:" + server.port() + "/" + db.name()
                        + "?sslmode=disable");
        assertThat(db.keyValueDsn())
                .isEqualTo("host=127.0.0.1 port=" + server.port() + " dbname=" + db.name() + " user=postgres password="
                        + server.password() + " sslmode=disable");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + db.name());
        assertThat(TestDatabase.dsnValue("it's a\\b")).isEqualTo("'it\\'s a\\\\b'");
    }
}
