package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.postgres.CopyTextRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Reads one part of a relation with {@code COPY (query) TO STDOUT} in text format and applies its rows to a sink as
 * {@link ChangeEvent.Read} changes, committed in batches of {@link #BATCH_ROWS}, each with the mark that says how far
 * the part is ({@link Marks}). At most a semaphore's permits of workers commit at once, while the others read and
 * convert their next batch (see {@link ForeignCopy}). Used by both copies into other databases: block ranges of one
 * snapshot ({@link ForeignCopy}) and key chunks ({@link ForeignChunkedCopy}).
 */
final class RowBatches {
    /** Rows a worker applies and commits at once; at most a JDBC sink's run, which it writes only at the commit. */
    static final int BATCH_ROWS = 5_000;

    /** Commits a batch with its mark. */
    @FunctionalInterface
    interface Marks {
        /**
         * Commits the open batch of {@code sink}.
         *
         * @param rows the part's rows in once it commits, counted from the part's start
         * @param last the last row read of the part, null when none was
         * @param end whether the part is whole with this batch
         */
        void commit(ChangeSink sink, long rows, TupleData last, boolean end);
    }

    private final Semaphore writing;
    private final AtomicBoolean failed;
    private final Masks masks;

    /**
     * @param writing permits to commit, one per worker that may commit at once
     * @param failed set once any worker failed: the others stop at their next batch
     */
    RowBatches(Semaphore writing, AtomicBoolean failed, Masks masks) {
        this.writing = writing;
        this.failed = failed;
        this.masks = masks;
    }

    /**
     * Copies the rows {@code query} returns (its select list the relation's columns in order), skipping the first
     * {@code skip}; returns the part's rows, {@code before} included, or -1 when it stopped because another worker
     * failed.
     *
     * @param before the part's rows already in: where the count of the marks starts
     * @param part names the part in an error, without values
     */
    long copy(
            Connection src,
            ChangeSink sink,
            Relation relation,
            String query,
            long skip,
            long before,
            Object part,
            Marks marks,
            CopyProgress.Table counters)
            throws SQLException, InterruptedException {
        CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT");
        int width = relation.columns().size();
        ValueMask.TableMask mask = masks.of(relation);
        long rows = before;
        try {
            long skipped = 0;
            int batch = 0;
            long bytes = 0;
            TupleData last = null;
            byte[] b;
            sink.begin();
            while ((b = out.readFromCopy()) != null) {
                if (skipped < skip) {
                    skipped++;
                    continue;
                }
                last = CopyTextRow.parse(b, width);
                Row row = new Row(relation, last, BuiltinTypes.builtin(), false);
                apply(
                        sink,
                        new ChangeEvent.Read(Lsn.INVALID, relation, mask == null ? row : MaskingStage.mask(row, mask)));
                bytes += b.length;
                if (++batch == BATCH_ROWS) {
                    if (!commit(sink, marks, rows + batch, last, false)) {
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
                        "the source returned " + skipped + " rows of " + part + " on a second read, where " + skip
                                + " had been copied",
                        "start the sync again: the copy starts over",
                        null);
            }
            if (!commit(sink, marks, rows + batch, last, true)) {
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
     * Commits the open batch with its mark once it is this worker's turn to write, and returns true; rolls it back
     * and returns false when another worker failed meanwhile, whose failure is the one the copy reports.
     */
    private boolean commit(ChangeSink sink, Marks marks, long rows, TupleData last, boolean end)
            throws InterruptedException {
        do {
            if (failed.get()) {
                sink.rollback();
                return false;
            }
        } while (!writing.tryAcquire(100, TimeUnit.MILLISECONDS));
        try {
            marks.commit(sink, rows, last, end);
            return true;
        } catch (RuntimeException e) {
            sink.rollback();
            throw e;
        } finally {
            writing.release();
        }
    }
}
