package io.pgferry.postgres;

import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The server's system identifier as a stream's {@link StreamConfig#fingerprint} takes it: from IDENTIFY_SYSTEM on a
 * replication connection (PostgreSQL docs, "Streaming Replication Protocol"), which a role that may stream may run,
 * where {@code pg_control_system()} may be closed to it.
 */
public final class SystemIdentifier {
    private SystemIdentifier() {}

    /** Asks {@code source} for its system identifier over a replication connection of its own. */
    public static String of(Dsn source) throws SQLException {
        try (Connection c = (Connection) Connections.openReplication(source)) {
            return new ReplicationSession(c.unwrap(org.postgresql.PGConnection.class)).identifySystem();
        }
    }
}
