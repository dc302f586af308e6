package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.ChunkMark;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.MovedRows;
import io.pgferry.core.sink.TableFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
    /** The batch's open runs; read by tests. */
    final OpenRuns open;

    private final Map<TargetTable, Boolean> secondaryUnique = new HashMap<>();
    /** The target of each Relation instance seen: the stream hands the same instance for every change of a table. */
    private final Map<Relation, TargetTable> targetOf = new IdentityHashMap<>();

    private boolean idempotent;
    /** Where the replay reads a moved row it lacks values of; null when nowhere. */
    private MovedRows movedRows;
    /** Where the idempotent replay now ends, to record with the next commit; INVALID when unchanged. */
    private Lsn replayBefore = Lsn.INVALID;

    private boolean copying;
    private boolean severalWriters;
    /**
     * The source table whose rows are being written, from just before a statement to just after it succeeds: a
     * destination error while it is set is that table's, and is reported as a {@link TableFailure}.
     */
    private Relation writing;

    private final CommitDurability durability;

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
        this(connect, dialect, targets, BatchLedger.syncProgress(catalog, fingerprint), catalog, where);
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
        this(connect, dialect, targets, ledger, null, where);
    }

    private JdbcSink(
            Supplier<Connection> connect,
            Dialect dialect,
            Function<Relation, TargetTable> targets,
            BatchLedger ledger,
            SyncCatalog catalog,
            String where) {
        this.marks = catalog == null ? null : catalog.copyRanges();
        this.chunks = catalog == null ? null : catalog.copyChunks();
        this.connection = connect.get();
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
            open = new OpenRuns(!session.triggersOff(), this::write);
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not prepare the apply session at " + where);
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
        return writes.missingRows();
    }

    @Override
    public void begin() {
        open.beginBatch();
    }

    @Override
    public long batchBytes() {
        return open.batchBytes();
    }

    @Override
    public void apply(ChangeEvent change) {
        try {
            if (change instanceof ChangeEvent.Insert i) {
                insert(i.relation(), i.after());
            } else if (change instanceof ChangeEvent.Update u) {
                update(u);
            } else if (change instanceof ChangeEvent.Delete d) {
                delete(d);
            } else if (change instanceof ChangeEvent.Read r) {
                // A sink of the initial copy sees nothing but reads: their runs take the dialect's bulk path.
                copying = true;
                insert(r.relation(), r.after());
            } else if (change instanceof ChangeEvent.Truncate t) {
                truncate(t);
            }
            // A logical message carries no table data.
        } catch (UnrepresentableValueException e) {
            throw ChangeFailures.unrepresentable(change, e, this::target, where);
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not apply a change at " + where));
        }
    }

    /** {@code e} as the failure of the table being written, if one was. */
    private PgFerryException attributed(PgFerryException e) {
        Relation r = writing;
        writing = null;
        return r == null ? e : TableFailure.of(r.schema(), r.table(), e);
    }

    private void write(Run r) throws SQLException {
        writing = r.relation;
        r.flush(writes);
        writing = null;
    }

    @Override
    public void idempotent(boolean on) {
        if (on == idempotent) {
            return;
        }
        try {
            // A run is written by the rules it was gathered under.
            open.flush();
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not apply a change at " + where));
        }
        idempotent = on;
        writes.idempotent(on);
    }

    @Override
    public void movedRows(MovedRows rows) {
        movedRows = rows;
    }

    @Override
    public void extendReplay(Lsn lsn) {
        replayBefore = lsn;
    }

    @Override
    public void commit(Lsn endLsn, Instant sourceCommitTime) {
        try {
            open.flush();
            if (replayBefore.isValid()) {
                ledger.extendReplay(connection, replayBefore);
            }
            ledger.record(connection, endLsn, sourceCommitTime);
            connection.commit();
            replayBefore = Lsn.INVALID;
            durability.committed(endLsn);
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not commit a batch at " + where));
        }
    }

    @Override
    public void commitCopy() {
        try {
            open.flush();
            connection.commit();
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
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
        try {
            open.flush();
            marks.markSoFar(connection, range.relation(), range.fromBlock(), rows);
            connection.commit();
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
        }
    }

    @Override
    public void commitCopy(ChunkMark mark) {
        if (chunks == null) {
            ChangeSink.super.commitCopy(mark);
        }
        try {
            open.flush();
            chunks.markSoFar(connection, mark);
            connection.commit();
        } catch (SQLException e) {
            throw attributed(JdbcErrors.classify(e, "could not commit copied rows at " + where));
        }
    }

    @Override
    public OptionalLong copiedRows(CopyRangeId range) {
        if (marks == null) {
            return OptionalLong.empty();
        }
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
        TargetTable target = target(relation);
        try {
            new AddedColumns(connection, dialect, open).add(severalWriters, target, relation, column, existing);
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
        open.beginBatch();
        writing = null;
        replayBefore = Lsn.INVALID;
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed; the connection is abandoned");
        }
    }

    @Override
    public void close() {
        writes.close();
        ledger.close();
        durability.close();
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("close failed; the connection is abandoned");
        }
    }

    private void insert(Relation relation, Row row) throws SQLException {
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        InsertRun run = runFor(relation, InsertRun.class);
        run.rows.add(values(row));
        open.held(run, row);
    }

    private void update(ChangeEvent.Update u) throws SQLException {
        Relation relation = u.relation();
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        if (relation.replicaIdentity() == ReplicaIdentity.FULL) {
            open.alone(target(relation));
            writing = relation;
            writes.oneRow(relation, target(relation), u.before() == null ? u.after() : u.before(), u.after());
            writing = null;
            return;
        }
        Key key = Key.of(u.after(), dialect);
        Key old = u.before() == null ? key : Key.of(u.before(), dialect);
        TargetTable target = target(relation);
        if (!old.equals(key) || hasSecondaryUnique(target)) {
            open.alone(target);
            if (idempotent && !old.equals(key)) {
                writing = relation;
                writes.moveIdempotently(relation, target, old, key, u.after(), movedRows);
                writing = null;
                return;
            }
            write(new UpdateRun(relation, target).merge(old, u.after(), dialect));
            return;
        }
        open.held(runFor(relation, UpdateRun.class).merge(key, u.after(), dialect), u.after());
    }

    private void delete(ChangeEvent.Delete d) throws SQLException {
        Relation relation = d.relation();
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        if (relation.replicaIdentity() == ReplicaIdentity.FULL) {
            open.alone(target(relation));
            writing = relation;
            writes.oneRow(relation, target(relation), d.before(), null);
            writing = null;
            return;
        }
        runFor(relation, DeleteRun.class).keys.add(Key.of(d.before(), dialect));
    }

    /**
     * The open run of {@code relation}'s table if it is of {@code kind} and has room, else a new one, after writing
     * the table's open run (and, in order, every open run).
     */
    private <R extends Run> R runFor(Relation relation, Class<R> kind) throws SQLException {
        TargetTable target = target(relation);
        return open.runFor(
                relation,
                target,
                kind,
                () -> kind == InsertRun.class
                        ? kind.cast(new InsertRun(relation, target, idempotent, copying))
                        : kind == UpdateRun.class
                                ? kind.cast(new UpdateRun(relation, target))
                                : kind.cast(new DeleteRun(relation, target)));
    }

    private TargetTable target(Relation relation) {
        TargetTable t = targetOf.get(relation);
        if (t == null) {
            t = targets.apply(relation);
            targetOf.put(relation, t);
        }
        return t;
    }

    private boolean hasSecondaryUnique(TargetTable target) throws SQLException {
        Boolean known = secondaryUnique.get(target);
        if (known == null) {
            known = dialect.hasSecondaryUnique(connection, target);
            secondaryUnique.put(target, known);
        }
        return known;
    }

    private void truncate(ChangeEvent.Truncate t) throws SQLException {
        open.flush();
        List<TargetTable> tables = new ArrayList<>();
        for (Relation r : t.relations()) {
            tables.add(target(r));
        }
        try (Statement st = connection.createStatement()) {
            if (!dialect.truncatesManyTables()) {
                for (int i = 0; i < tables.size(); i++) {
                    writing = t.relations().get(i);
                    st.execute(dialect.truncate(List.of(tables.get(i)), t.cascade(), t.restartIdentity()));
                }
            } else {
                // One statement for all: a failure is put down to the first table it names.
                writing = t.relations().get(0);
                st.execute(dialect.truncate(tables, t.cascade(), t.restartIdentity()));
            }
            writing = null;
        }
    }

    private Object[] values(Row row) {
        return writes.values(row);
    }
}
