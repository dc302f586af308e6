package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The runs a {@link JdbcSink} holds in its batch, at most one open a table, and the bounds on what they hold: a run
 * is closed at {@link #MAX_RUN_ROWS} rows and kept, still unwritten, for the batch's commit (which may write it
 * behind the sink's thread); every run held is written once they hold {@link #MAX_OPEN_BYTES} together.
 *
 * <p>Invariant: the runs of one table are written in the order they were opened, so a table's changes reach the
 * destination in source order; in order ({@code inOrder}) at most one run is open, so changes of different tables do
 * too. Closed runs precede every open run: each was opened before the open run of its own table. Not thread-safe:
 * one sink's thread.
 */
final class OpenRuns {
    /** A run is written at this many rows, bounding memory for large transactions. */
    static final int MAX_RUN_ROWS = 5_000;
    /**
     * The open runs are written, in the open transaction, once their rows hold this many bytes: wide rows in many
     * tables would otherwise hold up to {@link #MAX_RUN_ROWS} rows a table on the heap (issue 5).
     */
    static final long MAX_OPEN_BYTES = 32L << 20;

    /** Writes one run in the sink's open transaction. */
    @FunctionalInterface
    interface Writer {
        void write(Run run) throws SQLException;
    }

    /** The open run of each table, in the order they were opened; at most one when {@link #inOrder}. */
    private final Map<TargetTable, Run> open = new LinkedHashMap<>();
    /** Runs closed full, unwritten, in the order they were opened. */
    private final List<Run> closed = new ArrayList<>();

    private final boolean inOrder;
    private final Writer writer;
    /** The bytes the runs held hold ({@link Run#bytes}), closed or open. */
    private long bytes;
    /** The bytes of every row held since the batch began, written or not. */
    private long batchBytes;

    /**
     * @param inOrder whether every run is written before a run of another table opens (the destination fires
     *     triggers and checks foreign keys, which see the order across tables)
     */
    OpenRuns(boolean inOrder, Writer writer) {
        this.inOrder = inOrder;
        this.writer = writer;
    }

    /**
     * The open run of {@code target} if it is of {@code kind}, for the same relation, and has room (a statement
     * writes no more than {@link #MAX_RUN_ROWS} rows); else {@code fresh}'s run, opened after closing the table's open
     * run, or, in order, after writing every run.
     */
    <R extends Run> R runFor(Relation relation, TargetTable target, Class<R> kind, Supplier<R> fresh)
            throws SQLException {
        Run r = open.get(target);
        if (kind.isInstance(r) && (r.relation == relation || r.relation.equals(relation)) && r.size() < MAX_RUN_ROWS) {
            return kind.cast(r);
        }
        if (inOrder) {
            flush();
        } else if (r != null) {
            // The run needs no writing before the next one opens, only to be written before it.
            closed.add(open.remove(target));
        }
        R made = fresh.get();
        open.put(target, made);
        return made;
    }

    /** Counts {@code row}, just added to {@code run}, and writes every open run once they hold too much. */
    void held(Run run, Row row) throws SQLException {
        long b = Run.bytesOf(row);
        run.bytes += b;
        bytes += b;
        batchBytes += b;
        if (bytes >= MAX_OPEN_BYTES) {
            flush();
        }
    }

    /**
     * Writes what must precede a change of {@code target} applied now: the closed runs and its open run, or every run
     * in order.
     */
    void alone(TargetTable target) throws SQLException {
        if (inOrder) {
            flush();
            return;
        }
        List<Run> done = new ArrayList<>(closed);
        closed.clear();
        for (Run c : done) {
            bytes -= c.bytes;
            writer.write(c);
        }
        Run r = open.remove(target);
        if (r != null) {
            bytes -= r.bytes;
            writer.write(r);
        }
    }

    /** Writes every open run, in the order they were opened. */
    void flush() throws SQLException {
        for (Run r : take()) {
            writer.write(r);
        }
    }

    /** Every run held, in the order they were opened, for the caller to write; they are no longer held. */
    List<Run> take() {
        List<Run> runs = new ArrayList<>(closed);
        runs.addAll(open.values());
        clear();
        return runs;
    }

    /** Forgets the runs held, unwritten: the batch is rolled back or begins. */
    void clear() {
        closed.clear();
        open.clear();
        bytes = 0;
    }

    /** The bytes the runs held hold. */
    long bytes() {
        return bytes;
    }

    /** Forgets the runs held and starts counting the bytes of a new batch. */
    void beginBatch() {
        clear();
        batchBytes = 0;
    }

    /** The bytes of every row held since {@link #beginBatch}. */
    long batchBytes() {
        return batchBytes;
    }
}
