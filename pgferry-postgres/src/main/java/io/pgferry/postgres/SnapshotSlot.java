package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A snapshot of the source with the WAL position it stands at: a temporary logical slot, made on a replication
 * connection of its own only for the snapshot it exports. Every transaction that committed before {@link
 * #consistentPoint()} is in the snapshot, none that committed after it (PostgreSQL docs, "Streaming Replication
 * Protocol", CREATE_REPLICATION_SLOT, and "Exported Snapshots"), which a snapshot taken by a plain transaction beside a
 * reading of {@code pg_current_wal_lsn()} cannot promise. For copying a table into a sync that already streams from a
 * slot of its own: that slot's changes of the table apply from the consistent point on.
 *
 * <p>The snapshot stays importable ({@code SET TRANSACTION SNAPSHOT}) until {@link #close()}, which ends the
 * connection and with it the slot. Not thread-safe; the snapshot may be imported from any thread.
 */
public final class SnapshotSlot implements AutoCloseable {
    private final Connection connection;
    private final ReplicationSession.CreatedSlot created;
    private final String systemIdentifier;

    private SnapshotSlot(Connection connection, ReplicationSession.CreatedSlot created, String systemIdentifier) {
        this.connection = connection;
        this.created = created;
        this.systemIdentifier = systemIdentifier;
    }

    /**
     * Creates the temporary slot {@code name} (unique on the server while it lives) on {@code source}.
     *
     * @throws PgFerryException when the source cannot make one (no free replication slot or WAL sender, say)
     */
    public static SnapshotSlot create(Dsn source, String name) {
        Connection c = (Connection) Connections.openReplication(source);
        try {
            try (Connection sql = Connections.open(source)) {
                int version = StartupChecks.serverVersionNum(sql);
                ReplicationSession session = new ReplicationSession(c.unwrap(org.postgresql.PGConnection.class));
                // Before the slot: the exported snapshot lasts until the connection's next command.
                String system = session.identifySystem();
                return new SnapshotSlot(
                        c,
                        SlotCreationWatch.during(sql, name, () -> session.createSlot(name, true, true, false, version)),
                        system);
            }
        } catch (SQLException e) {
            Connections.closeQuietly(c);
            throw PgFerryException.retriable(
                    "could not take a snapshot of the source through temporary slot " + name + ": "
                            + Connections.oneLine(e.getMessage()),
                    "free a replication slot and a WAL sender on the source (max_replication_slots,"
                            + " max_wal_senders), then start the sync again",
                    e);
        } catch (RuntimeException e) {
            Connections.closeQuietly(c);
            throw e;
        }
    }

    /** The snapshot's name, for {@code SET TRANSACTION SNAPSHOT}. */
    public String snapshotName() {
        return created.snapshotName();
    }

    /** Transactions that committed before it are in the snapshot; those that committed after it are not. */
    public Lsn consistentPoint() {
        return created.consistentPoint();
    }

    /** The server's system identifier (IDENTIFY_SYSTEM), as a stream's {@link StreamConfig#fingerprint} takes it. */
    public String systemIdentifier() {
        return systemIdentifier;
    }

    /** Ends the connection, which drops the slot and the snapshot with it. */
    @Override
    public void close() {
        Connections.closeQuietly(connection);
    }
}
