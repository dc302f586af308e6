package io.pgferry.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Removes a test database and what keeps DROP DATABASE from succeeding:
 *
 * <ul>
 *   <li>prepared transactions in it ("database is being used by prepared transactions"); they can only be rolled back
 *       from a session in that database;
 *   <li>logical replication slots of it ("database is used by an active logical replication slot"), even inactive
 *       ones; an active slot's walsender is terminated first and the slot dropped once it is released;
 *   <li>sessions, which {@code DROP DATABASE ... WITH (FORCE)} (PostgreSQL 13+) terminates.
 * </ul>
 *
 * Then the roles the test created: their sessions are terminated, what they own or were granted in the remaining
 * databases is reassigned or dropped, and the role is dropped.
 */
final class DatabaseCleanup {
    private static final Duration SLOT_RELEASE_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final String UNDEFINED_DATABASE = "3D000";
    private static final String OBJECT_IN_USE = "55006";

    private final PostgresServer server;
    private final String database;

    DatabaseCleanup(PostgresServer server, String database) {
        this.server = server;
        this.database = database;
    }

    void dropDatabaseAndRoles(List<String> roles) throws SQLException {
        rollbackPreparedTransactions();
        server.closeIdleConnections(database);
        server.withConnection("postgres", admin -> {
            terminate(
                    admin,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE datname = ? AND pid <> pg_backend_pid()",
                    database);
            dropReplicationSlots(admin);
            try (Statement statement = admin.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + SqlQuoting.identifier(database)
                        + (server.majorVersion() >= 13 ? " WITH (FORCE)" : ""));
            }
            for (String role : roles) {
                dropRole(admin, role);
            }
            return null;
        });
    }

    private void rollbackPreparedTransactions() throws SQLException {
        try {
            server.withConnection(database, DatabaseCleanup::rollbackPrepared);
        } catch (SQLException e) {
            if (!UNDEFINED_DATABASE.equals(e.getSQLState())) {
                throw e;
            }
            // The test dropped its database itself.
        }
    }

    private static Void rollbackPrepared(Connection connection) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()");
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                gids.add(result.getString(1));
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (String gid : gids) {
                statement.execute("ROLLBACK PREPARED " + SqlQuoting.literal(gid));
            }
        }
        return null;
    }

    /** Terminates active walsenders of this database's slots, waits (bounded) until each slot is released, drops. */
    private void dropReplicationSlots(Connection admin) throws SQLException {
        long deadline = System.nanoTime() + SLOT_RELEASE_TIMEOUT.toNanos();
        while (true) {
            terminate(
                    admin,
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                            + " WHERE database = ? AND active_pid IS NOT NULL",
                    database);
            List<String> inactive = new ArrayList<>();
            boolean anyActive = false;
            try (PreparedStatement statement =
                    admin.prepareStatement("SELECT slot_name, active FROM pg_replication_slots WHERE database = ?")) {
                statement.setString(1, database);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        if (result.getBoolean(2)) {
                            anyActive = true;
                        } else {
                            inactive.add(result.getString(1));
                        }
                    }
                }
            }
            for (String slot : inactive) {
                dropSlot(admin, slot);
            }
            if (!anyActive && inactive.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SQLException("replication slots of " + database + " still active after "
                        + SLOT_RELEASE_TIMEOUT.toSeconds() + " s");
            }
            if (anyActive) {
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
    }

    private static void dropSlot(Connection admin, String slot) throws SQLException {
        try (PreparedStatement statement = admin.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            statement.execute();
        } catch (SQLException e) {
            // A client reconnected and acquired it between our query and the drop; the next round terminates it.
            if (!OBJECT_IN_USE.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static void dropRole(Connection admin, String role) throws SQLException {
        try (PreparedStatement exists = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            exists.setString(1, role);
            try (ResultSet result = exists.executeQuery()) {
                if (!result.next()) {
                    return;
                }
            }
        }
        terminate(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", role);
        String quoted = SqlQuoting.identifier(role);
        try (Statement statement = admin.createStatement()) {
            // REASSIGN/DROP OWNED act on the current database and shared objects; the test's database is gone.
            statement.execute("REASSIGN OWNED BY " + quoted + " TO CURRENT_USER");
            statement.execute("DROP OWNED BY " + quoted);
            statement.execute("DROP ROLE " + quoted);
        }
    }

    private static void terminate(Connection admin, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = admin.prepareStatement(sql)) {
            statement.setString(1, parameter);
            statement.execute();
        }
    }
}
