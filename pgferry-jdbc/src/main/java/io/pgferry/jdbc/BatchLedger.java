package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link JdbcSink} writes beside each batch's rows, in the batch's own transaction, so that the destination
 * knows exactly what it holds: for a sync, the source position in {@code sync_progress} ({@link
 * #syncProgress}); for a Kafka Connect sink, the consumed Kafka offsets. Because the record commits or vanishes with
 * the rows it describes, a restart that resumes from it applies nothing twice and skips nothing.
 *
 * <p><b>Threading.</b> {@link #record} is called on the sink's thread, with the batch's connection; {@link #position}
 * on any thread, with a connection of its own.
 */
public interface BatchLedger extends AutoCloseable {
    /**
     * Writes the record of the batch that ends with the source transaction ending at {@code endLsn}, on {@code c}
     * inside the open batch transaction, just before it commits. Throws to fail the batch (which is then rolled
     * back): when the record shows that another writer moved it since this one read it, say.
     */
    void record(Connection c, Lsn endLsn, Instant sourceCommitTime) throws SQLException;

    /**
     * The end position recorded by the last committed batch, read on {@code probe} after a synchronous write so that
     * what it returns is durable; empty when none is recorded or the ledger records no source position.
     */
    Optional<Lsn> position(Connection probe) throws SQLException;

    /**
     * Records, on {@code c} inside the open batch transaction, that changes committed before {@code lsn} are replayed
     * idempotently (see {@link io.pgferry.core.sink.ChangeSink#extendReplay}).
     *
     * @throws UnsupportedOperationException when the ledger keeps no such position (the default)
     */
    default void extendReplay(Connection c, Lsn lsn) throws SQLException {
        throw new UnsupportedOperationException(this + " records no replay position");
    }

    /** Releases statements prepared on the batch connection; the default holds none. */
    @Override
    default void close() {}

    /** The sync's {@code sync_progress} row: the position and the stream's fingerprint. */
    static BatchLedger syncProgress(SyncCatalog catalog, java.util.function.Supplier<String> fingerprint) {
        return new BatchLedger() {
            private java.sql.PreparedStatement save;

            @Override
            public void record(Connection c, Lsn endLsn, Instant sourceCommitTime) throws SQLException {
                if (save == null) {
                    save = c.prepareStatement(catalog.savePositionSql());
                }
                catalog.bindPosition(save, fingerprint.get(), endLsn, sourceCommitTime);
                catalog.requireOne(save.executeUpdate());
            }

            @Override
            public void extendReplay(Connection c, Lsn lsn) throws SQLException {
                catalog.setExactFrom(c, lsn);
            }

            @Override
            public Optional<Lsn> position(Connection probe) throws SQLException {
                catalog.touch(probe);
                return catalog.position(probe).flatMap(SyncCatalog.Position::lsn);
            }

            @Override
            public void close() {
                Writes.closeQuietly(save);
            }

            @Override
            public String toString() {
                return "sync " + catalog.syncName();
            }
        };
    }
}
