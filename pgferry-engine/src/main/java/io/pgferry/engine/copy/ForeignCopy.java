package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.CopyRangeId;
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
import java.sql.Statement;
import java.time.Duration;
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
 * rows is committed on its own; the position is stored at the consistent point once every batch is in ({@link
 * Ledger}). A copy that fails past its retries or is killed is started again, since its snapshot is gone.
 *
 * <p><b>Retries.</b> Into a sink that {@linkplain ChangeSink#keepsCopyMarks keeps copy marks} (the SQL
 * destinations), each batch commits with the count of its range's rows in so far. A range whose source or
 * destination session fails for a reason that passes ({@link CopyRetry}) is read again on new sessions, which skip
 * the rows its mark counts: so a batch whose commit went unanswered is written again only if it is not in. That
 * rests on one invariant: reading a range twice in the same snapshot returns its rows in the same order. A TID range
 * scan, or a sequential scan that starts at the first block ({@code synchronize_seqscans} off; PostgreSQL docs,
 * "Previous PostgreSQL Versions"), run without parallel workers, returns the rows in block and line-pointer order,
 * and what a snapshot sees of a block stays where it is: pruning removes only tuples no snapshot can see, and moves
 * none to another line pointer. Into Kafka, whose commits carry no mark, a failure ends the copy.
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
    /** What to do once the copy has failed past its retries: it starts over. */
    private static final String STARTS_OVER = "start the sync again: the copy starts over";

    /** Rows a worker applies and commits at once; at most a JDBC sink's run, which it writes only at the commit. */
    private static final int BATCH_ROWS = 5_000;

    private final int workers;
    private final int writers;
    /** Retries a range, whose {@link SQLException}s are the source's (a sink throws unchecked exceptions). */
    private final CopyRetry reading;
    /** Retries a record of the ledger's, whose {@link SQLException}s are the destination's. */
    private final CopyRetry recording;

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

        /**
         * Forgets the copy marks of a copy before this one (which was started over, its tables emptied), and returns
         * whether the destination keeps marks at all; the default keeps none.
         */
        default boolean forgetMarks() throws SQLException {
            return false;
        }

        /** Abandons the ledger's connection after a failure, so that the next record opens another. */
        default void reset() {}
    }

    /**
     * @param workers copy workers, each with a source session and a sink
     * @param writers how many workers may commit at once (at most {@code workers})
     * @param maxRetryTime how long a range is tried again after failures that pass
     * @param sinks opens the sink of copy worker n (0, 1, ...), again after a failure
     */
    public ForeignCopy(
            int workers,
            int writers,
            Duration maxRetryTime,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Ledger ledger,
            Supplier<Connection> source,
            IntFunction<ChangeSink> sinks,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this.workers = workers;
        this.writers = Math.max(1, Math.min(writers, workers));
        this.reading = new CopyRetry(maxRetryTime, STARTS_OVER, "the source");
        this.recording = new CopyRetry(maxRetryTime, STARTS_OVER, "the destination");
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
        AtomicBoolean failed = new AtomicBoolean();
        try {
            boolean marks = record("record the tables' states", failed, again -> {
                for (SourceTable t : tables) {
                    setState(t, TableState.COPYING, progress);
                }
                return ledger.forgetMarks();
            });
            ConcurrentLinkedQueue<CopyRange> todo = new ConcurrentLinkedQueue<>(ranges);
            Semaphore writing = new Semaphore(writers, true);
            SnapshotCopy.runAll(workers, worker -> {
                try (Worker w = new Worker(worker, snapshotName, marks)) {
                    CopyRange r;
                    while (!failed.get() && (r = todo.poll()) != null) {
                        w.copy(r, writing, failed, progress);
                    }
                } catch (SQLException | RuntimeException | InterruptedException e) {
                    failed.set(true);
                    throw e;
                }
            });
            record("record the end of the copy", failed, again -> {
                for (SourceTable t : tables) {
                    setState(t, TableState.CATCHING_UP, progress);
                }
                ledger.complete(consistentPoint);
                return null;
            });
        } catch (SQLException e) {
            throw JdbcErrors.notRetried(e, "the initial copy failed", STARTS_OVER);
        }
        log.info(
                "copied {} rows of {} tables in {} s",
                progress.rows(),
                tables.size(),
                (System.nanoTime() - started) / 1_000_000_000L);
    }

    /**
     * A step of the ledger's, run again after a failure that passes on a new ledger connection; workers record a
     * table's end through it too, one at a time ({@link #setState}).
     */
    private <T> T record(String what, AtomicBoolean failed, CopyRetry.Step<T> step)
            throws SQLException, InterruptedException {
        return recording.run(what, failed::get, again -> {
            try {
                return step.run(again);
            } catch (SQLException | RuntimeException e) {
                synchronized (ledger) {
                    ledger.reset();
                }
                throw e;
            }
        });
    }

    /** A copy worker: its source session and its sink, opened when first needed and again after a failure. */
    private final class Worker implements AutoCloseable {
        private final int worker;
        private final String snapshotName;
        private final boolean marks;
        private Connection src;
        private ChangeSink sink;

        Worker(int worker, String snapshotName, boolean marks) {
            this.worker = worker;
            this.snapshotName = snapshotName;
            this.marks = marks;
        }

        /** Copies {@code r}, again where its marks end after a failure that passes, when the sink keeps marks. */
        void copy(CopyRange r, Semaphore writing, AtomicBoolean failed, CopyProgress progress)
                throws SQLException, InterruptedException {
            TableName name = r.table().name();
            CopyProgress.Table counters = progress.table(name);
            long rows;
            try {
                if (!marks || !sink().keepsCopyMarks()) {
                    rows = copyRange(src(), sink(), null, 0, r, writing, failed, counters);
                } else {
                    CopyRangeId id = new CopyRangeId(r.leaf().qualified(), r.fromBlock());
                    rows = reading.run("copy " + r, failed::get, again -> {
                        try {
                            long skip = again ? sink().copiedRows(id).orElse(0) : 0;
                            return copyRange(src(), sink(), id, skip, r, writing, failed, counters);
                        } catch (SQLException | RuntimeException e) {
                            close();
                            throw e;
                        }
                    });
                }
            } catch (SQLException e) {
                // A sink throws unchecked exceptions: this one is the source's.
                throw TableFailure.of(
                        name.schema(),
                        name.name(),
                        JdbcErrors.notRetried(e, "could not read table " + name, "the source", STARTS_OVER));
            } catch (PgFerryException e) {
                throw TableFailure.of(name.schema(), name.name(), e);
            }
            if (rows >= 0 && counters.finishRange(rows)) {
                record("record the state of " + name, failed, again -> {
                    setState(r.table(), TableState.COPYING, progress);
                    return null;
                });
                log.info("copied {} ({} rows)", name, counters.rows());
            }
        }

        private Connection src() throws SQLException {
            if (src == null) {
                src = SnapshotCopy.openSnapshotSession(source, snapshotName, STARTS_OVER);
                try (Statement st = src.createStatement()) {
                    // A range read again returns its rows in the same order (see the class comment).
                    st.execute("SET synchronize_seqscans = off");
                    st.execute("SET max_parallel_workers_per_gather = 0");
                } catch (SQLException e) {
                    close();
                    throw e;
                }
            }
            return src;
        }

        private ChangeSink sink() {
            if (sink == null) {
                sink = sinks.apply(worker);
            }
            return sink;
        }

        /**
         * Closes both: a source session whose COPY failed has lost its transaction, and a sink whose commit went
         * unanswered cannot tell what is in. The read-only transaction ends with the connection, not with a COMMIT:
         * after a range was cancelled the server may deliver the cancel late, to the next statement, which would then
         * fail in its place.
         */
        @Override
        public void close() {
            if (src != null) {
                try {
                    src.close();
                } catch (SQLException e) {
                    log.debug("closing a copy session failed (SQLSTATE {})", e.getSQLState());
                }
                src = null;
            }
            if (sink != null) {
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    log.debug("closing a copy sink failed: {}", e.getClass().getSimpleName());
                }
                sink = null;
            }
        }
    }

    /**
     * Copies range {@code r} with COPY TO in text format, committing its rows in batches of {@link #BATCH_ROWS}, each
     * with its mark {@code id} when not null, after skipping the {@code skip} rows that marks say are in. Returns the
     * range's rows, or -1 when it stopped because another worker failed.
     */
    private long copyRange(
            Connection src,
            ChangeSink sink,
            CopyRangeId id,
            long skip,
            CopyRange r,
            Semaphore writing,
            AtomicBoolean failed,
            CopyProgress.Table counters)
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
        long rows = skip;
        try {
            long skipped = 0;
            int batch = 0;
            long bytes = 0;
            byte[] b;
            sink.begin();
            while ((b = out.readFromCopy()) != null) {
                if (skipped < skip) {
                    skipped++;
                    continue;
                }
                Row row = new Row(relation, CopyTextRow.parse(b, width), BuiltinTypes.builtin(), false);
                apply(
                        sink,
                        new ChangeEvent.Read(Lsn.INVALID, relation, mask == null ? row : MaskingStage.mask(row, mask)));
                bytes += b.length;
                if (++batch == BATCH_ROWS) {
                    if (!commit(sink, id, rows + batch, writing, failed)) {
                        return -1;
                    }
                    counters.addBytes(bytes);
                    rows += batch;
                    batch = 0;
                    bytes = 0;
                    sink.begin();
                }
            }
            if (skipped < skip) {
                throw PgFerryException.fatal(
                        "the source returned " + skipped + " rows of " + r + " on a second read, where " + skip
                                + " had been copied",
                        STARTS_OVER,
                        null);
            }
            if (!commit(sink, id, rows + batch, writing, failed)) {
                return -1;
            }
            counters.addBytes(bytes);
            rows += batch;
        } finally {
            CopyPipe.cancel(out);
        }
        return rows;
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
     * Commits the open batch, with mark {@code id} at {@code rows} when not null, once it is this worker's turn to
     * write, and returns true; rolls it back and returns false when another worker failed meanwhile, whose failure is
     * the one the copy reports.
     */
    private static boolean commit(ChangeSink sink, CopyRangeId id, long rows, Semaphore writing, AtomicBoolean failed)
            throws InterruptedException {
        do {
            if (failed.get()) {
                sink.rollback();
                return false;
            }
        } while (!writing.tryAcquire(100, TimeUnit.MILLISECONDS));
        try {
            if (id == null) {
                sink.commitCopy();
            } else {
                sink.commitCopy(id, rows);
            }
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
