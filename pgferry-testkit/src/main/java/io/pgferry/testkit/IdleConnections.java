package io.pgferry.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The superuser connections of one server that the kit's one-call helpers ({@link PostgresServer#execute}, {@link
 * TestDatabase#queryLong} and the like) keep between calls, per database.
 *
 * <p>Why: a new session costs the server a backend (fork, TLS handshake, SCRAM exchange) and the test JVM a TLS and
 * SCRAM client; on a 2-core CI machine that was tens of milliseconds of CPU per call, and the suite's polling waits
 * made tens of thousands of them, a third of its CPU.
 *
 * <p>What a helper call sees does not change: a connection is put back only after {@code DISCARD ALL} succeeded on
 * it (no settings, temporary tables, advisory locks, prepared statements or open transaction of an earlier call
 * survive; a call that left a transaction open makes {@code DISCARD ALL} fail and the connection is closed, which
 * rolls it back, as before), and one taken out is checked first, since a test may have terminated it or restarted
 * the server. Each connection serves one call at a time: concurrent calls take different connections.
 */
final class IdleConnections {
    /** Per database; more idle sessions than this only hold server slots ({@code max_connections}). */
    private static final int MAX_IDLE = 4;

    private static final int VALID_TIMEOUT_SECONDS = 5;

    private final PostgresServer server;
    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();

    IdleConnections(PostgresServer server) {
        this.server = server;
    }

    <T> T with(String database, SqlWork<T> work) throws SQLException {
        Connection connection = take(database);
        try {
            return work.run(connection);
        } finally {
            giveBack(database, connection);
        }
    }

    /** Closes the idle connections of {@code database}, before it is dropped. */
    void closeAll(String database) {
        Deque<Connection> connections = idle.remove(database);
        if (connections != null) {
            for (Connection c; (c = connections.pollFirst()) != null; ) {
                closeQuietly(c);
            }
        }
    }

    private Connection take(String database) throws SQLException {
        Deque<Connection> connections = idle.get(database);
        if (connections != null) {
            for (Connection c; (c = connections.pollFirst()) != null; ) {
                if (c.isValid(VALID_TIMEOUT_SECONDS)) {
                    return c;
                }
                closeQuietly(c);
            }
        }
        return server.connect(database);
    }

    private void giveBack(String database, Connection connection) {
        try {
            if (connection.isClosed() || !connection.getAutoCommit()) {
                closeQuietly(connection);
                return;
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("DISCARD ALL");
            }
        } catch (SQLException e) {
            closeQuietly(connection);
            return;
        }
        Deque<Connection> connections = idle.computeIfAbsent(database, d -> new ConcurrentLinkedDeque<>());
        if (connections.size() < MAX_IDLE) {
            connections.offerFirst(connection);
        } else {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Broken already: nothing to release on the server.
        }
    }
}
