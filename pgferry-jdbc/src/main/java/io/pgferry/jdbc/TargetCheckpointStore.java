package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.checkpoint.CheckpointStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A checkpoint kept at the destination, in the sync's row of {@code sync_progress}: the row that {@link JdbcSink}
 * updates in the same transaction as the data. {@link #load()} is therefore exactly what the destination holds, and
 * {@link #save} only has to move the position past stretches of WAL that carried nothing for the sync.
 *
 * <p>Uses a connection of its own, in autocommit, so a save never commits an open batch of the sink. Called from
 * the stream's thread only, as the {@link CheckpointStore} contract says.
 */
public final class TargetCheckpointStore implements CheckpointStore {
    private final Supplier<Connection> connect;
    private final SyncCatalog catalog;
    private final String where;
    private Connection connection;
    private String fingerprint;

    /**
     * @param connect opens a connection to the destination (called again after a failure)
     * @param where the destination for messages, without secrets
     */
    public TargetCheckpointStore(Supplier<Connection> connect, SyncCatalog catalog, String where) {
        this.connect = connect;
        this.catalog = catalog;
        this.where = where;
    }

    @Override
    public void bind(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    /** The fingerprint the stream bound, or null before it started. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Reads after a synchronous write, so that a position an apply session committed asynchronously just before a
     * crash is durable before the stream starts from it and confirms it to the source.
     */
    @Override
    public Optional<Checkpoint> load() {
        try {
            catalog.touch(connection());
            return catalog.position(connection())
                    .filter(p -> p.lsn().isPresent())
                    .map(p -> new Checkpoint(p.lsn().get(), p.fingerprint()));
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) {
        try {
            catalog.advance(connection(), checkpoint.lsn());
        } catch (SQLException e) {
            throw failure("save", e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connect.get();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private PgFerryException failure(String verb, SQLException e) {
        close(); // replaced on the next call
        return JdbcErrors.classify(
                e, "could not " + verb + " the position of sync " + catalog.syncName() + " at " + where);
    }

    @Override
    public String describe() {
        return "the sync_progress row of sync " + catalog.syncName() + " at " + where;
    }

    /** Closes the store's connection. */
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // Abandoned either way.
        }
        connection = null;
    }
}
