package io.pgferry.testkit;

import io.pgferry.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL server shared by every test of a JVM: started on first use (wal_level=logical, TLS on, fsync off)
 * and stopped by a shutdown hook when the JVM exits. Connections as the superuser {@code postgres}.
 */
public final class PostgresServer {
    private static PostgresServer shared;
    private static RuntimeException startFailure;

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * The shared server, started on the first call. If starting fails, later calls fail fast with the same cause
     * rather than trying again for every test.
     */
    public static synchronized PostgresServer shared() {
        if (shared != null) {
            return shared;
        }
        if (startFailure != null) {
            throw new IllegalStateException(
                    "the shared PostgreSQL failed to start earlier: " + startFailure.getMessage(), startFailure);
        }
        try {
            shared = new PostgresServer(
                    EmbeddedPostgres.builder().fsync(false).ssl(true).start());
            return shared;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    public int majorVersion() {
        return postgres.majorVersion();
    }

    public String host() {
        return postgres.host();
    }

    public int port() {
        return postgres.port();
    }

    public String superuser() {
        return postgres.superuser();
    }

    /** The superuser's password; never log it. */
    public String password() {
        return postgres.password();
    }

    /** The PEM file of the CA that signed the server certificate, for sslmode=verify-full / sslrootcert. */
    public Path caCertificate() {
        return postgres.caCertificate().orElseThrow();
    }

    /** {@code postgresql://postgres:PASSWORD@127.0.0.1:PORT/database}. */
    public String uri(String database) {
        return postgres.uri(database);
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/database}; credentials and TLS options are in {@link #jdbcProperties()}. */
    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    /** user, password, sslmode=verify-full and sslrootcert for pgjdbc; a new copy each call. */
    public Properties jdbcProperties() {
        return postgres.jdbcProperties();
    }

    /** A new superuser connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), jdbcProperties());
    }

    /** Runs each statement in autocommit, in order, on one connection to {@code database}. */
    public void execute(String database, String... sql) throws SQLException {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    /** The current value of a server setting, as {@code current_setting(name)} reports it. */
    public String settingValue(String name) throws SQLException {
        try (Connection connection = connect("postgres");
                PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
            statement.setString(1, name);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    /** The embedded server underneath, for its log file and data directory. */
    public EmbeddedPostgres embedded() {
        return postgres;
    }
}
