package io.pgferry.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A database created for one test ({@code t_<random hex>}) on the shared server. {@link #close()} (called by the
 * extension after the test) terminates its sessions, drops its replication slots, drops it, then drops the roles
 * made with {@link #createRole}.
 */
public final class TestDatabase implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z]+( [A-Za-z0-9]+)*");

    private final PostgresServer server;
    private final String name;
    private final List<String> roles = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** Creates a new, empty database (from template1) on {@code server}. */
    public static TestDatabase create(PostgresServer server) throws SQLException {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        String name = "t_" + HexFormat.of().formatHex(random);
        server.execute("postgres", "CREATE DATABASE " + SqlQuoting.identifier(name));
        return new TestDatabase(server, name);
    }

    public String name() {
        return name;
    }

    public PostgresServer server() {
        return server;
    }

    /** {@code postgresql://postgres:PASSWORD@127.0.0.1:PORT/t_...?sslmode=disable} ({@link PostgresServer#uri}). */
    public String uri() {
        return server.uri(name);
    }

    /** {@link #uri} without {@code sslmode}, for tests of TLS ({@link PostgresServer#uriWithoutSslmode}). */
    public String uriWithoutSslmode() {
        return server.uriWithoutSslmode(name);
    }

    /**
     * A libpq key/value string: {@code host=127.0.0.1 port=PORT dbname=t_... user=postgres password=...
     * sslmode=disable}; a test of TLS appends an {@code sslmode} of its own, which wins ({@link PostgresServer#uri}).
     */
    public String keyValueDsn() {
        return "host=" + dsnValue(server.host()) + " port=" + server.port() + " dbname=" + dsnValue(name) + " user="
                + dsnValue(server.superuser()) + " password=" + dsnValue(server.password()) + " sslmode=disable";
    }

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** user, password and sslmode=disable for pgjdbc ({@link PostgresServer#jdbcProperties}); a new copy each call. */
    public Properties jdbcProperties() {
        return server.jdbcProperties();
    }

    /** A new superuser connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /**
     * Runs each statement in autocommit, in order, in one session that sees nothing of earlier calls (see {@link
     * #withConnection}).
     */
    public void execute(String... sql) throws SQLException {
        server.execute(name, sql);
    }

    /**
     * Runs {@code work} on a superuser connection to this database, in autocommit, one the kit keeps between calls
     * and resets after each ({@link PostgresServer#withConnection}): for the short queries of polling waits, where a
     * new session each time costs more than the query. {@code work} must not close the connection.
     */
    public <T> T withConnection(SqlWork<T> work) throws SQLException {
        return server.withConnection(name, work);
    }

    /** The single non-null value of a one-row, one-column query. */
    public long queryLong(String sql) throws SQLException {
        String value = queryString(sql);
        if (value == null) {
            throw new SQLException("query returned NULL: " + sql);
        }
        return Long.parseLong(value);
    }

    /** The single value (possibly null) of a one-row, one-column query. */
    public String queryString(String sql) throws SQLException {
        return withConnection(connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(sql)) {
                if (!result.next()) {
                    throw new SQLException("query returned no rows: " + sql);
                }
                if (result.getMetaData().getColumnCount() != 1) {
                    throw new SQLException("query returned more than one column: " + sql);
                }
                String value = result.getString(1);
                if (result.next()) {
                    throw new SQLException("query returned more than one row: " + sql);
                }
                return value;
            }
        });
    }

    /**
     * Whether exactly one slot of this database is named like {@code namePattern} (a LIKE pattern) and is past its
     * consistent point. A slot is listed in {@code pg_replication_slots} as soon as its creation begins, but changes
     * committed before it reaches a consistent point are never decoded; {@code confirmed_flush_lsn} is set only once
     * it has (see the docs' "Logical Decoding Concepts": a slot streams changes committed after it was created). A
     * test that writes and expects every write streamed waits for this, not for the slot's name.
     */
    public boolean slotReady(String namePattern) throws SQLException {
        return queryLong("SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE "
                        + SqlQuoting.literal(namePattern)
                        + " AND database = current_database() AND confirmed_flush_lsn IS NOT NULL")
                == 1;
    }

    /**
     * Creates a role, dropped after the test. Roles are cluster-wide, so tests that may run at the same time must
     * use different names. {@code password} may be null (no password: it cannot log in over TCP).
     *
     * @param attributes role options such as {@code "LOGIN"}, {@code "REPLICATION"}, {@code "CONNECTION LIMIT 5"}
     * @return {@code name}
     */
    public String createRole(String name, String password, String... attributes) throws SQLException {
        List<String> parts = new ArrayList<>();
        parts.add("CREATE ROLE " + SqlQuoting.identifier(name));
        for (String attribute : attributes) {
            if (!ATTRIBUTE.matcher(attribute).matches()) {
                throw new IllegalArgumentException("not a role attribute: " + attribute);
            }
            parts.add(attribute);
        }
        if (password != null) {
            parts.add("PASSWORD " + SqlQuoting.literal(ScramSecret.of(password)));
        }
        server.execute("postgres", String.join(" ", parts));
        roles.add(name);
        return name;
    }

    /** Drops the database, its replication slots and the roles made through {@link #createRole}. Idempotent. */
    @Override
    public void close() throws SQLException {
        if (closed.compareAndSet(false, true)) {
            new DatabaseCleanup(server, name).dropDatabaseAndRoles(List.copyOf(roles));
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + "]";
    }

    /** Quotes a libpq connection-string value when needed (libpq docs, "Keyword/Value Connection Strings"). */
    static String dsnValue(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '\\' || c == '=')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
