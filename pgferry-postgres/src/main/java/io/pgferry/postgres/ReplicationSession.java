package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.catalog.Identifiers;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;

/**
 * One replication connection: slot creation and the CopyBoth stream of START_REPLICATION. See the PostgreSQL docs,
 * "Streaming Replication Protocol". Not thread-safe: the stream thread alone uses it.
 */
final class ReplicationSession implements AutoCloseable {
    private final Connection connection;
    private PGReplicationStream stream;

    /** The result of CREATE_REPLICATION_SLOT; {@code snapshotName} is null unless a snapshot was exported. */
    record CreatedSlot(Lsn consistentPoint, String snapshotName) {}

    ReplicationSession(PGConnection connection) {
        // pgjdbc's connection class implements both interfaces.
        this.connection = (Connection) connection;
    }

    /**
     * Creates a logical pgoutput slot. With {@code exportSnapshot} the snapshot stays importable until this
     * connection runs its next command.
     */
    CreatedSlot createSlot(String slot, boolean exportSnapshot, boolean twoPhase, int serverVersionNum)
            throws SQLException {
        return createSlot(slot, false, exportSnapshot, twoPhase, serverVersionNum);
    }

    /**
     * As {@link #createSlot(String, boolean, boolean, int)}; a {@code temporary} slot is dropped when this connection
     * ends, also on an error (PostgreSQL docs, "Streaming Replication Protocol", CREATE_REPLICATION_SLOT).
     */
    CreatedSlot createSlot(
            String slot, boolean temporary, boolean exportSnapshot, boolean twoPhase, int serverVersionNum)
            throws SQLException {
        String create = "CREATE_REPLICATION_SLOT " + Identifiers.quote(slot) + (temporary ? " TEMPORARY" : "");
        String command;
        if (serverVersionNum >= 150000) {
            command = create + " LOGICAL pgoutput (SNAPSHOT '" + (exportSnapshot ? "export" : "nothing") + "'"
                    + (twoPhase ? ", TWO_PHASE true" : "") + ")";
        } else {
            command = create + " LOGICAL pgoutput " + (exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
        }
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(command)) {
            rs.next();
            return new CreatedSlot(Lsn.parse(rs.getString("consistent_point")), rs.getString("snapshot_name"));
        }
    }

    /** The server's system identifier, from IDENTIFY_SYSTEM: it tells one cluster from another at the same address. */
    String identifySystem() throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return rs.getString("systemid");
        }
    }

    void start(String slot, Lsn from, StreamConfig config, int protocolVersion) throws SQLException {
        ChainedLogicalStreamBuilder b = connection
                .unwrap(PGConnection.class)
                .getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(Identifiers.quote(slot))
                .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                .withAutomaticFlush(false)
                .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                .withSlotOption("proto_version", protocolVersion)
                // The option value is a list of identifiers inside a single-quoted literal.
                .withSlotOption(
                        "publication_names",
                        Identifiers.quote(config.publication()).replace("'", "''"));
        if (config.binary()) {
            b = b.withSlotOption("binary", true);
        }
        if (config.messages()) {
            b = b.withSlotOption("messages", true);
        }
        if (config.streaming() && protocolVersion >= 2) {
            b = b.withSlotOption("streaming", true);
        }
        if (config.twoPhase() && protocolVersion >= 3) {
            b = b.withSlotOption("two_phase", true);
        }
        stream = b.start();
    }

    /** The next XLogData payload, or null when none is waiting (after at most a short blocking read). */
    ByteBuffer readPending() throws SQLException {
        return stream.readPending();
    }

    /** The WAL start of the last message, or the server's position from its last keepalive if that is later. */
    Lsn lastReceived() {
        return Lsn.of(stream.getLastReceiveLSN().asLong());
    }

    /** Reports {@code lsn} as written, flushed and applied, and sends the status update now. */
    void confirm(Lsn lsn) throws SQLException {
        if (stream == null) {
            // Not streaming yet: START_REPLICATION will begin at the saved position anyway.
            return;
        }
        LogSequenceNumber l = LogSequenceNumber.valueOf(lsn.value());
        stream.setFlushedLSN(l);
        stream.setAppliedLSN(l);
        stream.forceUpdateStatus();
    }

    @Override
    public void close() {
        try {
            if (stream != null && !stream.isClosed()) {
                stream.close();
            }
        } catch (SQLException e) {
            // The connection is going away either way; closing it below releases the server side.
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // Same: nothing useful to do with a failure to close a connection we are abandoning.
        }
    }
}
