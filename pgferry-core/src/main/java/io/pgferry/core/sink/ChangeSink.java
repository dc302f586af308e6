package io.pgferry.core.sink;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A destination that applies committed source transactions: a database table set, a file, a topic. The engine groups
 * consecutive source transactions into one <em>batch</em> and hands it over as {@link #begin()}, {@link #apply} for
 * each change in source commit order, then {@link #commit(Lsn, Instant) commit}.
 *
 * <p><b>Durability contract.</b> {@link #commit(Lsn, Instant) commit} makes every change applied since {@link
 * #begin()} visible at the destination at once, and, for a sink whose {@link #storesPosition()} is true, together
 * with {@code endLsn} in the same atomic write (for a database: the same transaction). It may return before that
 * write is durable (a database committing asynchronously); {@link #durablePosition()} then says how far the commits
 * are durable, and the engine confirms a position to the source only once it is. So a crash of the process or of the
 * destination at any instant loses nothing: a commit lost with the destination's crash takes its position with it,
 * and the source still holds its changes. For a sink that stores its position, a restart resumes from {@link
 * #position()} and applies no transaction twice. A sink that does not store its position may see the transactions
 * since the engine's last checkpoint again after a crash, and must apply them idempotently or accept the duplicates.
 *
 * <p><b>Written behind.</b> {@code commit} may also return before the batch is written, so that the next batch is
 * gathered while the destination writes this one (one batch at most is written behind). A failure of that write is
 * then thrown by a later {@link #apply} or {@code commit}, or by {@link #awaitCommitted()}; {@link
 * #durablePosition()} never covers a batch not yet written.
 *
 * <p><b>Failure.</b> If {@link #apply}, {@code commit} or {@link #awaitCommitted()} throws, nothing is durable of the
 * open batch, nor of a batch committed before whose write failed (the sink rolls them back or never made them
 * visible); the engine then calls {@link #rollback()} and either applies again, on a new sink, every transaction not
 * yet durable, or stops. A {@link io.pgferry.core.PgFerryException} says which: retriable (a lost connection, a
 * serialization failure) or fatal (a missing table, a type mismatch). Error messages never quote row values.
 *
 * <p><b>Threading.</b> One thread calls a sink at a time, except {@link #durablePosition()}, which any thread may
 * call at any time.
 */
public interface ChangeSink extends AutoCloseable {
    /** True when {@code commit} stores the position with the data, making the apply exactly-once. */
    boolean storesPosition();

    /**
     * The end position of the last source transaction durably applied, as stored at the destination; empty when the
     * sink stores none or nothing was applied yet.
     */
    Optional<Lsn> position();

    /** Opens a batch. */
    void begin();

    /** Applies one change of the open batch; changes arrive in source commit order. */
    void apply(ChangeEvent change);

    /**
     * Says how the changes applied from now on are written: exactly as they come (the default, and what {@code
     * false} restores), or idempotently. Idempotent rules are for changes the destination may already hold, in part
     * or in whole, because a copy that read the source while they were made saw some of them: an insert writes its
     * row whether or not a row with its key is there; an update changes the row with its key if there is one
     * (moving it when the key changed, replacing a row already at the new key) and does nothing otherwise, except
     * that an update that changed the key writes its row when neither key has one (a copy that reads the table in
     * parts may have read the new key's part before the change and the old key's after it, and so missed the row;
     * values such an update left unchanged, which the stream does not carry, it reads through {@link #movedRows}, and
     * fails without); a delete deletes the row if it is there. Applied in source order from before the copy began to after it ended,
     * such changes leave every row as the source has it, whatever the copy saw.
     *
     * @throws UnsupportedOperationException when the sink cannot apply idempotently (the default for {@code true})
     */
    default void idempotent(boolean on) {
        if (on) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot apply changes idempotently");
        }
    }

    /**
     * Gives the sink where to read the rows of key changes it replays at neither key without all their values (see
     * {@link MovedRows}); without it, such a change fails. The default ignores it: such a sink does not replay.
     */
    default void movedRows(MovedRows rows) {}

    /**
     * Extends the idempotent replay to every change committed before {@code lsn}: the caller read rows at the source
     * up to there ({@link MovedRows}), so the destination is exact only past it, as after a copy.
     * Recorded with the next {@link #commit}, in its transaction, where the destination records where exact apply
     * starts, so that a restart replays those changes idempotently too; forgotten by {@link #rollback}.
     *
     * @throws UnsupportedOperationException when the sink cannot apply idempotently (the default)
     */
    default void extendReplay(Lsn lsn) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot apply changes idempotently");
    }

    /**
     * Adds {@code column}, which the source table of {@code relation} gained while streaming, to the destination
     * table, within the open batch and before the changes that carry it, and gives the rows the destination already
     * holds {@code existing}: the value the source's existing rows read in the new column (a column added with a
     * default stores it once and writes no row, so no change carries it), in PostgreSQL's text form, or null for
     * NULL. A destination that already has a column of that name fills its NULLs with {@code existing}: the same
     * column is given again when a batch is delivered again after a failure, from before the change that added it. A
     * destination without stored rows (a stream of events) ignores {@code existing}.
     *
     * @throws io.pgferry.core.PgFerryException (fatal) when the destination cannot hold the column's type
     */
    void addColumn(Relation relation, Column column, String existing);

    /**
     * Commits the open batch together with {@code endLsn}, the end position of its last source transaction; the
     * class contract says when it is durable.
     *
     * @param sourceCommitTime when that transaction committed at the source, for lag reporting
     */
    void commit(Lsn endLsn, Instant sourceCommitTime);

    /**
     * Returns once every committed batch is written, or throws the failure of its write (see the class comment); the
     * engine calls it when it has nothing to apply. The default does nothing: the sink's commit writes before it
     * returns.
     */
    default void awaitCommitted() {}

    /**
     * The end position of the last committed batch that is durable at the destination, or {@link Lsn#INVALID} when
     * none is yet. A sink whose commit returns only once durable returns the last committed {@code endLsn}. May do
     * I/O of its own (not on the connection the batches use); thread-safe.
     */
    Lsn durablePosition();

    /**
     * Marks the beginning of a source transaction's changes within the open batch. Called before its first {@link
     * #apply} (also when a stage drops every change of it); the default does nothing.
     */
    default void beginTransaction(SourceTransaction tx) {}

    /** Marks the end of the source transaction begun last, with its count of changes; the default does nothing. */
    default void endTransaction(SourceTransaction tx) {}

    /**
     * The bytes of row data applied in the open batch so far, as the sink counts them: the engine commits a batch once
     * it reaches its byte bound, so that a few very wide rows do not make one huge destination transaction. The
     * default, 0, leaves a batch bounded by its changes and its age only.
     */
    default long batchBytes() {
        return 0;
    }

    /**
     * True when every source transaction must be a batch of its own: a destination that maps source transactions one
     * to one onto its own (Kafka transactions) says so, and the engine then commits after each one.
     */
    default boolean transactionPerBatch() {
        return false;
    }

    /**
     * Commits the open batch, which holds only rows of the initial copy ({@link ChangeEvent.Read}), without storing a
     * position: the copy's position is stored by the first {@link #commit(Lsn, Instant)} after the whole copy is in,
     * and copied rows are durable once that commit is. Copy batches may be committed by several sinks at once, one
     * per copy worker.
     */
    void commitCopy();

    /**
     * True when this sink keeps copy marks: {@link #commitCopy(CopyRangeId, long)} stores, with the copied rows and
     * in the same destination transaction, how many rows of a range are in, and {@link #copiedRows} reads it back. A
     * copy then resumes a range after a lost connection where its last committed batch ended, with neither a row lost
     * nor one written twice. The default, false, is for a sink whose commits cannot carry a mark (a copy into it that
     * fails starts over).
     */
    default boolean keepsCopyMarks() {
        return false;
    }

    /**
     * Commits the open batch of copied rows, as {@link #commitCopy()}, together with the mark that {@code rows} rows
     * of {@code range} are in, counted from the range's start and including this batch's: both or neither are
     * durable. Only for a sink that {@link #keepsCopyMarks() keeps copy marks}.
     */
    default void commitCopy(CopyRangeId range, long rows) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no copy marks");
    }

    /**
     * Commits the open batch of copied rows, as {@link #commitCopy()}, together with the mark of how far its chunk is
     * ({@link ChunkMark}): both or neither are durable. Only for a sink that {@link #keepsCopyMarks() keeps copy
     * marks}; the engine reads the marks back from the destination's catalog itself.
     */
    default void commitCopy(ChunkMark mark) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no copy marks");
    }

    /**
     * The rows of {@code range} a committed copy batch marked as in, or empty when none was; read outside any open
     * batch. Marks belong to the copy that the engine is running: it clears those of a copy before it.
     */
    default OptionalLong copiedRows(CopyRangeId range) {
        return OptionalLong.empty();
    }

    /**
     * Abandons the open batch, if any, after waiting for a batch being written behind (whose failure it does not
     * throw: that batch is not durable then); never throws for a connection already lost.
     */
    void rollback();

    @Override
    void close();
}
