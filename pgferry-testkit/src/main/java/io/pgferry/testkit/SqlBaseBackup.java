package io.pgferry.testkit;

import io.pgferry.embedded.BaseBackup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The low-level base backup API over one superuser session (see the PostgreSQL docs, "Making a Base Backup Using the
 * Low Level API"): {@code pg_backup_start}/{@code pg_backup_stop} from PostgreSQL 15, {@code pg_start_backup}/{@code
 * pg_stop_backup} in their non-exclusive form before.
 */
final class SqlBaseBackup implements BaseBackup {
    private final PostgresServer server;
    private Connection session;

    SqlBaseBackup(PostgresServer server) {
        this.server = server;
    }

    @Override
    public void start() {
        try {
            session = server.connect("postgres");
            String sql = server.majorVersion() >= 15
                    ? "SELECT pg_backup_start(?, true)"
                    : "SELECT pg_start_backup(?, true, false)";
            try (PreparedStatement ps = session.prepareStatement(sql)) {
                ps.setString(1, "pgferry test standby");
                ps.execute();
            }
        } catch (SQLException e) {
            close();
            throw new IllegalStateException("could not start a base backup: " + e.getMessage(), e);
        }
    }

    @Override
    public String stop() {
        String sql = server.majorVersion() >= 15
                ? "SELECT labelfile FROM pg_backup_stop(true)"
                : "SELECT labelfile FROM pg_stop_backup(false, true)";
        try (PreparedStatement ps = session.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not stop the base backup: " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    private void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (SQLException e) {
            // The backup ends with the session.
        }
    }
}
