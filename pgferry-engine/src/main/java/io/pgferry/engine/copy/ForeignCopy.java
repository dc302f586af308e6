package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.core.sink.TableState;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.CopyTextRow;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy into a destination that is not PostgreSQL. Each worker imports the slot's exported snapshot,
 * takes block ranges from one queue ({@link RangePlanner}), reads each with {@code COPY (SELECT ...) TO STDOUT} in
 * text format and applies the rows to a sink of its own as {@link ChangeEvent.Read} changes, so that they are
 * converted by the same type mapping (or the same envelope) as streamed changes. Each batch of {@link #BATCH_ROWS}
 * rows is committed on its own ({@link ChangeSink#commitCopy()}); the position is stored at the consistent point once
 * every batch is in ({@link Ledger}). A copy that fails or is killed is started again, since its snapshot is gone.
 *
 * <p><b>Writers.</b> At most {@code writers} workers commit at a time (SQLite takes one writer at a time), while the
 * others read and convert their next batch. A JDBC sink converts a copied row when it is applied and writes the
 * batch when it is committed, so the conversion, which is most of the client's work per row, runs on every worker at
 * once and only the writing takes turns: with one thread writing what several readers had decoded, that thread did
 * the conversion as well and was the whole copy's bottleneck (SQLite, 2 cores). The invariant that makes this safe is
 * that a batch is no larger than a sink's run of rows, so applying a batch's rows writes nothing before its commit.
 */
public final class ForeignCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(ForeignCopy.class);
    /** What to do once the copy has failed, even for a reason that passes: it is not retried in place. */
    private static final String STARTS_OVER = "start the sync again: the copy starts over";

    /** Rows a worker applies and commits at once; at most a JDBC sink's run, which it writes only at the commit. */
    private static final int BATCH_ROWS = 5_000;

    private final int workers;
    private final int writers;
    private final List<SourceTable> tables;
    private final Map<TableName, Relation> relations;
    private final Ledger ledger;
    private final Supplier<Connection> source;
    private final IntFunction<ChangeSink> sinks;
    private final Consumer<CopyProgress> onStart;
    private final Masks masks;

    /** Where the copy records its progress: the per-table states and, once every range is in, the position. */
    public interface Ledger {
        /** Records {@code table}'s state and counters; called by several workers, one call at a time. */
        void state(SourceTable table, TableState state, long rows, long bytes) throws SQLException;

        /** Records the slot's consistent point as the position: the copy is complete. */
        void complete(Lsn consistentPoint) throws SQLException;
    }

    /**
     * @param workers copy workers, each with a source session and a sink
     * @param writers how many workers may commit at once (at most {@code workers})
     * @param sinks the sink of copy worker n (0, 1, ...)
     */
    public ForeignCopy(
            int workers,
            int writers,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Ledger ledger,
            Supplier<Connection> source,
            IntFunction<ChangeSink> sinks,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this.workers = workers;
        this.writers = Math.max(1, Math.min(writers, workers));
        this.tables = tables;
        this.relations = relations;
        this.ledger = ledger;
        this.source = source;
        this.sinks = sinks;
        this.onStart = onStart;
        this.masks = masks;
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> published) throws Exception {
        log.warn("the initial copy holds a snapshot open on the source: until it ends, vacuum there cannot remove rows"
                + " deleted or updated meanwhile");
        List<CopyRange> ranges = RangePlanner.plan(tables, workers);
        CopyProgress progress = new CopyProgress(tables, ranges);
        onStart.accept(progress);
        long started = System.nanoTime();
        try {
            for (SourceTable t : tables) {
                setState(t, TableState.COPYING, progress);
            }
            ConcurrentLinkedQueue<CopyRange> todo = new ConcurrentLinkedQueue<>(ranges);
            Semaphore writing = new Semaphore(writers, true);
            AtomicBoolean failed = new AtomicBoolean();
            SnapshotCopy.runAll(workers, worker -> {
                try {
                    work(worker, snapshotName, todo, writing, failed, progress);
                } catch (SQLException | RuntimeException | InterruptedException e) {
                    failed.set(true);
                    throw e;
                }
            });
            for (SourceTable t : tables) {
                setState(t, TableState.CATCHING_UP, progress);
            }
            ledger.complete(consistentPoint);
        } catch (SQLException e) {
            throw JdbcErrors.notRetried(e, "the initial copy failed", STARTS_OVER);
        }
        log.info(
                "copied {} rows of {} tables in {} s",
                progress.rows(),
                tables.size(),
                (System.nanoTime() - started) / 1_000_000_000L);
    }

    /** A worker: imports the snapshot, then copies ranges until none remain or another worker failed. */
    private void work(
            int worker,
            String snapshotName,
            ConcurrentLinkedQueue<CopyRange> todo,
            Semaphore writing,
            AtomicBoolean failed,
            CopyProgress progress)
            throws SQLException, InterruptedException {
        try (Connection src = source.get();
                ChangeSink sink = sinks.apply(worker)) {
            SnapshotCopy.importSnapshot(src, snapshotName);
            CopyRange r;
            while (!failed.get() && (r = todo.poll()) != null) {
                try {
                    copyRange(src, sink, r, writing, failed, progress);
                } catch (SQLException e) {
                    // A sink throws unchecked exceptions: this one is the source's.
                    throw TableFailure.of(
                            r.table().name().schema(),
                            r.table().name().name(),
                            JdbcErrors.notRetried(
                                    e, "could not read table " + r.table().name(), "the source", STARTS_OVER));
                }
            }
            // The read-only transaction ends with the connection, not with a COMMIT: after a range was cancelled
            // the server may deliver the cancel late, to the next statement, which would then fail in its place.
        }
    }

    /** Copies one range with COPY TO in text format, committing its rows in batches of {@link #BATCH_ROWS}. */
    private void copyRange(
            Connection src,
            ChangeSink sink,
            CopyRange r,
            Semaphore writing,
            AtomicBoolean failed,
            CopyProgress progress)
            throws SQLException, InterruptedException {
        Relation relation = relations.get(r.table().name());
        StringBuilder cols = new StringBuilder();
        for (ColumnDef c : r.table().copyColumns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(PgSql.quote(c.name()));
        }
        CopyOut out = src.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyOut("COPY (SELECT " + cols + " FROM ONLY " + r.leaf().qualified() + r.predicate() + ") TO STDOUT");
        int width = relation.columns().size();
        ValueMask.TableMask mask = masks.of(relation);
        CopyProgress.Table counters = progress.table(r.table().name());
        long rows = 0;
        try {
            int batch = 0;
            long bytes = 0;
            byte[] b;
            sink.begin();
            while ((b = out.readFromCopy()) != null) {
                Row row = new Row(relation, CopyTextRow.parse(b, width), BuiltinTypes.builtin(), false);
                apply(
                        sink,
                        new ChangeEvent.Read(Lsn.INVALID, relation, mask == null ? row : MaskingStage.mask(row, mask)));
                bytes += b.length;
                if (++batch == BATCH_ROWS) {
                    if (!commit(sink, writing, failed)) {
                        return;
                    }
                    counters.addBytes(bytes);
                    rows += batch;
                    batch = 0;
                    bytes = 0;
                    sink.begin();
                }
            }
            if (!commit(sink, writing, failed)) {
                return;
            }
            counters.addBytes(bytes);
            rows += batch;
        } finally {
            CopyPipe.cancel(out);
        }
        if (counters.finishRange(rows)) {
            setState(r.table(), TableState.COPYING, progress);
            log.info("copied {} ({} rows)", r.table().name(), counters.rows());
        }
    }

    private static void apply(ChangeSink sink, ChangeEvent.Read read) {
        try {
            sink.apply(read);
        } catch (RuntimeException e) {
            sink.rollback();
            throw e;
        }
    }

    /**
     * Commits the open batch once it is this worker's turn to write, and returns true; rolls it back and returns
     * false when another worker failed meanwhile, whose failure is the one the copy reports.
     */
    private static boolean commit(ChangeSink sink, Semaphore writing, AtomicBoolean failed)
            throws InterruptedException {
        do {
            if (failed.get()) {
                sink.rollback();
                return false;
            }
        } while (!writing.tryAcquire(100, TimeUnit.MILLISECONDS));
        try {
            sink.commitCopy();
            return true;
        } catch (RuntimeException e) {
            sink.rollback();
            throw e;
        } finally {
            writing.release();
        }
    }

    private void setState(SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        synchronized (ledger) {
            ledger.state(t, state, p.rows(), p.bytes());
        }
    }
}
