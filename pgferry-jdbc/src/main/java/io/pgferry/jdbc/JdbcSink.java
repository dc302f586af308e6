package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.ChunkMark;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.MovedRows;
import io.pgferry.core.sink.SourceTransaction;
import io.pgferry.core.sink.TableFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies source transactions to a database over JDBC, storing the applied position in the sync's
 * {@code sync_progress} row in the same transaction as the data (see {@link ChangeSink} for the contract).
 *
 * <p>Within a batch, consecutive changes of one table and one kind form a run: a run of inserts is written at once
 * ({@link Dialect#insertRows}), a run of updates keeps one pending update per key, merging later values over earlier
 * ones (so two updates of a key leave the second value, and columns the server did not send, such as unchanged
 * TOAST values, are never overwritten), and a run of deletes deletes each key once. The changes of one table are
 * always written in source order. When the session does not fire triggers and foreign-key checks ({@link
 * Dialect.ApplySession#triggersOff()}), each table keeps a run of its own open, so that a batch of small
 * transactions touching several tables costs a few statements per table instead of one per change; otherwise every
 * run is written before a run of another table starts, keeping the source order across tables too.
 *
 * <p>Applied alone, in order: a key change; every change of a table whose replica identity is FULL (no key: the old
 * row is matched on all its values, one row at a time); and updates of a table with a unique constraint besides its
 * key, which merged updates could transiently violate.
 *
 * <p>{@linkplain #idempotent Idempotent} replay, after a copy that did not read one snapshot: inserts are upserts on
 * the key ({@link Dialect#upsertRows}), updates and deletes find their row or do nothing (without counting it as a
 * miss), and a key change first removes a row already at the new key when the row is still at the old one, and
 * writes its row when neither key has one ({@link Writes#moveIdempotently}; a row whose update left values unchanged is
 * read through {@link #movedRows}). A table whose replica identity is FULL
 * has no key to replay by, and is refused.
 */
public final class JdbcSink implements ChangeSink {
    private static final Logger log = LoggerFactory.getLogger(JdbcSink.class);
    private final Connection connection;
    private final Dialect dialect;
    private final Function<Relation, TargetTable> targets;
    private final BatchLedger ledger;
    /** Where copy batches keep their marks; null for a sink that keeps none. */
    private final CopyRanges marks;
    /** Where a chunked copy's batches keep their marks; null for a sink that keeps none. */
    private final CopyChunks chunks;

    private final String where;
    private final Writes writes;
    private final RunRouter router;
    /** The batch's open runs; read by tests. */
    final OpenRuns open;

    /** Where the idempotent replay now ends, to record with the next commit; INVALID when unchanged. */
    private Lsn replayBefore = Lsn.INVALID;

    private boolean severalWriters;

    private final CommitDurability durability;
    /** Writes committed batches behind the sink's thread; null when the sink writes them itself. */
    private WriteBehind behind;

    private final Supplier<Connection> connect;
    private final Supplier<String> fingerprint;
    private final SyncCatalog catalog;
    private boolean triggersOff;
    /** The second session that writes part of each batch; null when the sink has its own only. */
    private ApplyLane lane;
    /** Whether the sink's thread used its own session in this batch, which then goes to that session whole. */
    private boolean ownSessionUsed;
    /** The end of the source transaction whose changes are being applied. */
    private Lsn txEnd = Lsn.INVALID;

    /**
     * @param connect opens a connection to the destination: one for the batches, one to learn what is durable
     * @param targets maps a source table to its destination table; throws {@link PgFerryException} for one not synced
     * @param fingerprint the stream's fingerprint, stored with each position
     * @param where the destination for messages, without secrets
     */
    public JdbcSink(
            Supplier<Connection> connect,
            Dialect dialect,
            Function<Relation, TargetTable> targets,
            SyncCatalog catalog,
            Supplier<String> fingerprint,
            String where) {
        this(connect, dialect, targets, BatchLedger.syncProgress(catalog, fingerprint), catalog, fingerprint, where);
    }

    /**
     * A sink that records each batch through {@code ledger} (see {@link BatchLedger}) instead of a sync's position.
     *
     * @param connect opens a connection to the destination: one for the batches, one to learn what is durable
     * @param targets maps a source table to its destination table; throws {@link PgFerryException} for one not synced
     * @param where the destination for messages, without secrets
     */
    public JdbcSink(
            Supplier<Connection> connect,
            Dialect dialect,
            Function<Relation, TargetTable> targets,
            BatchLedger ledger,
            String where) {
        this(connect, dialect, targets, ledger, null, null, where);
    }

    private JdbcSink(
            Supplier<Connection> connect,
            Dialect dialect,
            Function<Relation, TargetTable> targets,
            BatchLedger ledger,
            SyncCatalog catalog,
            Supplier<String> fingerprint,
            String where) {
        this.marks = catalog == null ? null : catalog.copyRanges();
        this.chunks = catalog == null ? null : catalog.copyChunks();
        this.connection = connect.get();
        this.connect = connect;
        this.catalog = catalog;
        this.fingerprint = fingerprint;
        this.durability = new CommitDurability(dialect, connect);
        this.dialect = dialect;
        this.targets = targets;
        this.ledger = ledger;
        this.where = where;
        this.writes = new Writes(connection, dialect, where);
        try {
            Dialect.ApplySession session = dialect.prepareApplySession(connection);
            for (String warning : session.warnings()) {
                log.warn("{}", warning);
            }
            triggersOff = session.triggersOff();
            router = new RunRouter(dialect, writes, !triggersOff, targets, this::awaitWritten);
            open = router.open;
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not prepare the apply session at " + where);
        }
    }

    /**
     * Has {@link #commit} hand each batch to a thread of its own and return, so that the next batch is gathered while
     * the destination writes this one (see {@link ChangeSink}, "Written behind"). Off by default; call before the
     * first batch.
     */
    public void writeBehind() {
        if (behind == null) {
            behind = new WriteBehind();
        }
    }

    /**
     * Has a second session of a PostgreSQL destination write part of each batch beside the sink's own, each key's
     * changes on one of them ({@link ApplyLane}); turns {@link #writeBehind} on. Does nothing where foreign keys and
     * triggers fire in the apply session (they see other tables' rows, which the other session has not committed) or
     * the sink records no sync position.
     */
    public void secondSession() {
        writeBehind();
        if (lane != null || catalog == null || !triggersOff || !(dialect instanceof PostgresDialect pg)) {
            return;
        }
        Connection c = connect.get();
        try {
            lane = new ApplyLane(c, pg, catalog.schema(), catalog.syncName(), fingerprint, where);
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw JdbcErrors.classify(e, "could not prepare the second apply session at " + where);
        }
    }

    /** Waits for the batch written behind, if any, before the caller's thread uses the connection. */
    private void awaitWritten() {
        ownSessionUsed = true;
        if (behind != null) {
            behind.await();
        }
    }

    @Override
    public boolean storesPosition() {
        return true;
    }

    /**
     * Read on the probe connection after a synchronous write (the row's {@code updated_at}), which flushes every WAL
     * record before it: the position returned is durable even if it was committed asynchronously by a sink that
     * died just before.
     */
    @Override
    public Optional<Lsn> position() {
        try {
            Optional<Lsn> p = ledger.position(durability.probe());
            p.ifPresent(durability::known);
            return p;
        } catch (SQLException e) {
            durability.reset();
            throw JdbcErrors.classify(e, "could not read the position of " + ledger + " at " + where);
        }
    }

    /** Updates and deletes that found no row at the destination, since this sink was made. */
    public long missingRows() {
        return writes.missingRows() + (lane == null ? 0 : lane.missingRows());
    }

    @Override
    public void begin() {
        open.beginBatch();
        ownSessionUsed = false;
    }

    @Override
    public void beginTransaction(SourceTransaction tx) {
        txEnd = tx.endLsn();
    }

    @Override
    public long batchBytes() {
        return open.batchBytes();
    }

    @Override
    public void apply(ChangeEvent change) {
        try {
            if (lane != null && lane.covers(change, txEnd)) {
                return;
            }
            router.apply(change);
        } catch (UnrepresentableValueException e) {
            throw ChangeFailures.unrepresentable(change, e, router::target, where);
        } catch (SQLException e) {
            throw router.attributed(JdbcErrors.classify(e, "could not apply a change at " + where));
        }
    }

    @Override
    public void idempotent(boolean on) {
        if (on == router.idempotent()) {
            return;
        }
        // The batch written behind was gathered under the rules in force.
        awaitWritten();
        try {
            // A run is written by the rules it was gathered under.
            open.flush();
        } catch (SQLException e) {
            throw router.attributed(JdbcErrors.classify(e, "could not apply a change at " + where));
        }
        router.idempotent(on);
    }

    @Override
    public void movedRows(MovedRows rows) {
        router.movedRows(rows);
    }

    @Override
    public void extendReplay(Lsn lsn) {
        replayBefore = lsn;
    }

    @Override
    public void commit(Lsn endLsn, Instant sourceCommitTime) {
        List<Run> runs = open.take();
        Lsn replay = replayBefore;
        replayBefore = Lsn.INVALID;
        ApplyLane.Split split = laneSplit(runs, replay);
        List<Run> own = split == null ? runs : split.own();
        if (behind == null) {
            writeBatch(own, split, replay, endLsn, sourceCommitTime);
        } else {
            behind.submit(() -> writeBatch(own, split, replay, endLsn, sourceCommitTime));
        }
    }

    /**
     * The lane's part of a batch and the sink's, or null when the batch stays on the sink's session: no lane, a batch
     * in idempotent replay, or one whose tables the sink's session has written.
     */
    private ApplyLane.Split laneSplit(List<Run> runs, Lsn replay) {
        if (lane == null || ownSessionUsed || router.idempotent() || replay.isValid()) {
            return null;
        }
        Set<TargetTable> whole;
        try {
            whole = router.unsplittable(runs);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the indexes and triggers of a table at " + where);
        }
        // A look-up reads the catalog and writes nothing: the lane may still take part of this batch.
        ownSessionUsed = false;
        return whole == null ? null : lane.split(runs, whole);
    }

    @Override
    public void awaitCommitted() {
        awaitWritten();
    }

    /**
     * Writes a batch's runs, the lane's part ({@code split}, when not null) on the lane, records its position (and
     * where the replay ends, when valid) and commits: on the sink's thread, or behind it ({@link #writeBehind}), so it
     * keeps what it is writing in a local, not in the router's.
     */
    private void writeBatch(List<Run> own, ApplyLane.Split split, Lsn replay, Lsn endLsn, Instant sourceCommitTime) {
        Relation table = null;
        boolean laneAwaited = split == null;
        try {
            if (split != null) {
                lane.write(split, endLsn);
            }
            for (Run r : own) {
                table = r.relation;
                r.flush(writes);
            }
            table = null;
            // The lane commits first (see ApplyLane, "Exactly-once").
            laneAwaited = true;
            if (split != null) {
                lane.await();
            }
            if (replay.isValid()) {
                ledger.extendReplay(connection, replay);
            }
            ledger.record(connection, endLsn, sourceCommitTime);
            connection.commit();
            durability.committed(endLsn);
        } catch (SQLException e) {
            PgFerryException f = JdbcErrors.classify(e, "could not commit a batch at " + where);
            throw table == null ? f : TableFailure.of(table.schema(), table.table(), f);
        } finally {
            if (!laneAwaited) {
                lane.abandon();
            }
        }
    }

    @Override
    public void commitCopy() {
        awaitWritten();
        try {
            open.flush();
            connection.commit();
        } catch (SQLException e) {
            throw router.attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
        }
    }

    /** True for a sink of a sync, whose catalog keeps the marks; false for one recording through a batch ledger. */
    @Override
    public boolean keepsCopyMarks() {
        return marks != null;
    }

    @Override
    public void commitCopy(CopyRangeId range, long rows) {
        if (marks == null) {
            ChangeSink.super.commitCopy(range, rows);
        }
        awaitWritten();
        try {
            open.flush();
            marks.markSoFar(connection, range.relation(), range.fromBlock(), rows);
            connection.commit();
        } catch (SQLException e) {
            throw router.attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
        }
    }

    @Override
    public void commitCopy(ChunkMark mark) {
        if (chunks == null) {
            ChangeSink.super.commitCopy(mark);
        }
        awaitWritten();
        try {
            open.flush();
            chunks.markSoFar(connection, mark);
            connection.commit();
        } catch (SQLException e) {
            throw router.attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
        }
    }

    @Override
    public OptionalLong copiedRows(CopyRangeId range) {
        if (marks == null) {
            return OptionalLong.empty();
        }
        awaitWritten();
        try {
            OptionalLong rows = marks.rowsIfDone(connection, range.relation(), range.fromBlock());
            connection.commit();
            return rows;
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the initial copy's marks at " + where);
        }
    }

    /**
     * Whether other writers apply changes to the tables of this sink too, as the sink connector's tasks do, each with
     * its own partitions. By default this sink is a table's one writer, and {@link #addColumn} fills the NULLs of a
     * column the table has already (given again after a failure, or added while the sync was stopped). With several
     * writers, such a column is left alone (another writer may have added it, and written NULLs in it since), and a
     * column added keeps the existing rows' value as its default where the dialect can (see {@link
     * Dialect#addColumnIfAbsent}).
     */
    public void severalWriters(boolean on) {
        severalWriters = on;
    }

    @Override
    public void addColumn(Relation relation, Column column, String existing) {
        TargetTable target = router.target(relation);
        awaitWritten();
        try {
            new AddedColumns(connection, dialect, open).add(severalWriters, target, relation, column, existing);
            if (lane != null) {
                lane.columnsChanged(target);
            }
        } catch (SQLException e) {
            throw TableFailure.of(
                    relation.schema(),
                    relation.table(),
                    JdbcErrors.classify(e, "could not add column " + column.name() + " to " + target + " at " + where));
        }
    }

    @Override
    public Lsn durablePosition() {
        try {
            return durability.durable();
        } catch (SQLException e) {
            durability.reset();
            throw JdbcErrors.classify(e, "could not read the WAL flush position at " + where);
        }
    }

    @Override
    public void rollback() {
        if (behind != null) {
            behind.awaitQuietly();
        }
        if (lane != null) {
            lane.abandon();
        }
        open.beginBatch();
        router.rolledBack();
        replayBefore = Lsn.INVALID;
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed; the connection is abandoned");
        }
    }

    @Override
    public void close() {
        if (behind != null) {
            behind.close();
        }
        if (lane != null) {
            lane.close();
        }
        writes.close();
        ledger.close();
        durability.close();
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("close failed; the connection is abandoned");
        }
    }
}
