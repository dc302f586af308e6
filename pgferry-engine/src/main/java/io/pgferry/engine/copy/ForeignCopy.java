package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.JdbcErrors;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy into a destination that is not PostgreSQL. Each worker imports the slot's exported snapshot,
 * takes block ranges from one queue ({@link RangePlanner}), reads each with {@code COPY (SELECT ...) TO STDOUT} in
 * text format and applies the rows to a sink of its own as {@link ChangeEvent.Read} changes, so that they are
 * converted by the same type mapping (or the same envelope) as streamed changes. Each batch of {@link RowBatches#BATCH_ROWS}
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
         * Forgets the copy marks of a copy before this one (which was started over, its tables emptied) and records
         * {@code ranges} with no row in, if the destination wants them before their first mark; returns whether it
         * keeps marks at all. The default keeps none.
         */
        default boolean startMarks(List<CopyRangeId> ranges) throws SQLException {
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
                return ledger.startMarks(ranges.stream()
                        .map(r -> new CopyRangeId(r.leaf().qualified(), r.fromBlock()))
                        .toList());
            });
            ConcurrentLinkedQueue<CopyRange> todo = new ConcurrentLinkedQueue<>(ranges);
            RowBatches batches = new RowBatches(new Semaphore(writers, true), failed, masks);
            SnapshotCopy.runAll(workers, worker -> {
                try (Worker w = new Worker(worker, snapshotName, marks, batches)) {
                    CopyRange r;
                    while (!failed.get() && (r = todo.poll()) != null) {
                        w.copy(r, progress, failed);
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

    /** A copy worker: its source session, in the snapshot, and its sink. */
    private final class Worker implements AutoCloseable {
        private final String snapshotName;
        private final boolean marks;
        private final WorkerSessions sessions;
        private final RowBatches batches;

        Worker(int worker, String snapshotName, boolean marks, RowBatches batches) {
            this.snapshotName = snapshotName;
            this.marks = marks;
            this.batches = batches;
            this.sessions = new WorkerSessions(
                    () -> {
                        Connection src = SnapshotCopy.openSnapshotSession(source, snapshotName, STARTS_OVER);
                        try (Statement st = src.createStatement()) {
                            // A range read again returns its rows in the same order (see the class comment).
                            st.execute("SET synchronize_seqscans = off");
                            st.execute("SET max_parallel_workers_per_gather = 0");
                            return src;
                        } catch (SQLException e) {
                            src.close();
                            throw e;
                        }
                    },
                    () -> sinks.apply(worker));
        }

        /** Copies {@code r}, again where its marks end after a failure that passes, when the sink keeps marks. */
        void copy(CopyRange r, CopyProgress progress, AtomicBoolean failed) throws SQLException, InterruptedException {
            TableName name = r.table().name();
            CopyProgress.Table counters = progress.table(name);
            long rows;
            try {
                if (!marks || !sessions.sink().keepsCopyMarks()) {
                    rows = copyRange(null, 0, r, counters);
                } else {
                    CopyRangeId id = new CopyRangeId(r.leaf().qualified(), r.fromBlock());
                    rows = reading.run("copy " + r, failed::get, again -> {
                        try {
                            long skip = again ? sessions.sink().copiedRows(id).orElse(0) : 0;
                            return copyRange(id, skip, r, counters);
                        } catch (SQLException | RuntimeException e) {
                            sessions.close();
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
            if (rows >= 0) {
                sessions.rangeRead(src -> SnapshotCopy.renewSnapshot(src, snapshotName, STARTS_OVER));
            }
            if (rows >= 0 && counters.finishRange(rows)) {
                record("record the state of " + name, failed, again -> {
                    setState(r.table(), TableState.COPYING, progress);
                    return null;
                });
                log.info("copied {} ({} rows)", name, counters.rows());
            }
        }

        /**
         * Copies range {@code r}, each batch with its mark {@code id} when not null, after skipping the {@code skip}
         * rows that marks say are in. Returns the range's rows, or -1 when another worker failed.
         */
        private long copyRange(CopyRangeId id, long skip, CopyRange r, CopyProgress.Table counters)
                throws SQLException, InterruptedException {
            StringBuilder cols = new StringBuilder();
            for (ColumnDef c : r.table().copyColumns()) {
                cols.append(cols.length() == 0 ? "" : ", ").append(PgSql.quote(c.name()));
            }
            return batches.copy(
                    sessions.source(),
                    sessions.sink(),
                    relations.get(r.table().name()),
                    "SELECT " + cols + " FROM ONLY " + r.leaf().qualified() + r.predicate(),
                    skip,
                    skip,
                    r,
                    (sink, rows, last, end) -> {
                        if (id == null) {
                            sink.commitCopy();
                        } else {
                            sink.commitCopy(id, rows);
                        }
                    },
                    counters);
        }

        @Override
        public void close() {
            sessions.close();
        }
    }

    private void setState(SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        synchronized (ledger) {
            ledger.state(t, state, p.rows(), p.bytes());
        }
    }
}
