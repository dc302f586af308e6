package io.pgferry.core.event;

import io.pgferry.core.Lsn;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One committed transaction, delivered whole: every change it made to the published tables, in the order it made
 * them. Aborted transactions, and changes of subtransactions rolled back to a savepoint, are never delivered.
 *
 * <p><b>Iteration.</b> The changes can be iterated once. They may be read from the server while the handler iterates
 * (an ordinary transaction) or from a local spill file (a large transaction the server streamed while it was in
 * progress), so memory stays bounded whatever the transaction's size. If the connection is lost during iteration,
 * {@code next()} throws and the stream delivers the transaction again after reconnecting; a handler that writes as
 * it iterates must be ready to undo or overwrite a partial write.
 *
 * <p><b>Prepared changes.</b> For a {@link PreparingHandler} a transaction carries instead the bytes the handler
 * returned for each change as it arrived ({@link #hasPreparedChanges()}, {@link #preparedChanges()}), iterated once
 * like the changes; the commit position and time here are what those bytes could not know.
 *
 * <p><b>Acknowledgement.</b> {@link #ack()} tells the stream that everything this transaction covers is durable at
 * the destination. It may be called from any thread, during or after {@code onTransaction}. Acknowledging a
 * transaction also acknowledges every transaction delivered before it. The stream confirms an LSN to the server only
 * after it has been acknowledged and saved in the checkpoint store, so a crash at any instant loses nothing; a
 * transaction not yet acknowledged at a crash is delivered again.
 */
public final class Transaction implements Iterable<ChangeEvent> {
    private final long xid;
    private final Lsn commitLsn;
    private final Lsn endLsn;
    private final Instant commitTime;
    private final String origin;
    private final Kind kind;
    private final Iterator<ChangeEvent> changes;
    private final Iterator<byte[]> prepared;
    private final Consumer<Lsn> acknowledger;
    private boolean iterated;

    /** How the transaction reached pgferry. */
    public enum Kind {
        /** An ordinary transaction, decoded by the server at commit. */
        COMMITTED,
        /** A large transaction streamed while in progress, spilled locally, delivered at its commit. */
        STREAMED,
        /** A two-phase transaction, delivered at COMMIT PREPARED. */
        PREPARED,
        /** A non-transactional logical message, alone. */
        MESSAGE,
        /** Rows of the initial snapshot ({@link ChangeEvent.Read} events), delivered before streaming starts. */
        SNAPSHOT
    }

    /**
     * @param xid transaction id (0 for snapshot rows and non-transactional messages)
     * @param commitLsn LSN of the commit record
     * @param endLsn the position just past the commit record; the position acknowledged by {@link #ack()}
     * @param commitTime commit time as the server recorded it; null when it recorded none (a non-transactional
     *     message, rows of the initial snapshot)
     * @param origin replication origin name, or null
     * @param changes the changes, to be iterated once
     * @param acknowledger receives {@code endLsn} when the transaction is acknowledged
     */
    public Transaction(
            long xid,
            Lsn commitLsn,
            Lsn endLsn,
            Instant commitTime,
            String origin,
            Kind kind,
            Iterator<ChangeEvent> changes,
            Consumer<Lsn> acknowledger) {
        this(xid, commitLsn, endLsn, commitTime, origin, kind, changes, null, acknowledger);
    }

    private Transaction(
            long xid,
            Lsn commitLsn,
            Lsn endLsn,
            Instant commitTime,
            String origin,
            Kind kind,
            Iterator<ChangeEvent> changes,
            Iterator<byte[]> prepared,
            Consumer<Lsn> acknowledger) {
        this.xid = xid;
        this.commitLsn = commitLsn;
        this.endLsn = endLsn;
        this.commitTime = commitTime;
        this.origin = origin;
        this.kind = kind;
        this.changes = changes;
        this.prepared = prepared;
        this.acknowledger = acknowledger;
    }

    /**
     * A transaction whose changes a {@link PreparingHandler} already turned into bytes as they arrived: it carries
     * those bytes ({@link #preparedChanges()}) instead of the changes. Parameters as for the constructor.
     *
     * @param prepared what {@link PreparingHandler#prepare} returned for each change, in change order, to be
     *     iterated once
     */
    public static Transaction withPreparedChanges(
            long xid,
            Lsn commitLsn,
            Lsn endLsn,
            Instant commitTime,
            String origin,
            Kind kind,
            Iterator<byte[]> prepared,
            Consumer<Lsn> acknowledger) {
        return new Transaction(
                xid, commitLsn, endLsn, commitTime, origin, kind, null, Objects.requireNonNull(prepared), acknowledger);
    }

    public long xid() {
        return xid;
    }

    public Lsn commitLsn() {
        return commitLsn;
    }

    public Lsn endLsn() {
        return endLsn;
    }

    /**
     * The commit time the server recorded, or null when there is none: a non-transactional message
     * ({@link Kind#MESSAGE}) and rows of the initial snapshot ({@link Kind#SNAPSHOT}) commit nothing.
     */
    public Instant commitTime() {
        return commitTime;
    }

    /** The replication origin the transaction came from, or null when it was made locally. */
    public String origin() {
        return origin;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The changes, once; a second call throws {@link IllegalStateException}, as does a call on a transaction that
     * {@link #hasPreparedChanges() carries prepared changes}.
     */
    @Override
    public Iterator<ChangeEvent> iterator() {
        if (prepared != null) {
            throw new IllegalStateException("this transaction carries the bytes its handler prepared for each change,"
                    + " not the changes: read them with preparedChanges()");
        }
        markIterated();
        return changes;
    }

    /**
     * True when the changes reached a {@link PreparingHandler} as they arrived and this transaction carries what it
     * returned for them ({@link #preparedChanges()}) instead of the changes themselves.
     */
    public boolean hasPreparedChanges() {
        return prepared != null;
    }

    /**
     * What {@link PreparingHandler#prepare} returned for each change, in change order, once; throws
     * {@link IllegalStateException} on a second call, or when {@link #hasPreparedChanges()} is false. The arrays
     * are the caller's to keep. Like {@link #iterator()}, {@code next()} may throw if reading them back fails.
     */
    public Iterator<byte[]> preparedChanges() {
        if (prepared == null) {
            throw new IllegalStateException("this transaction carries its changes, not prepared bytes: iterate it");
        }
        markIterated();
        return prepared;
    }

    private void markIterated() {
        if (iterated) {
            throw new IllegalStateException("the changes of a transaction can be iterated only once");
        }
        iterated = true;
    }

    /** Marks this transaction, and all delivered before it, durable at the destination. Thread-safe. */
    public void ack() {
        acknowledger.accept(endLsn);
    }

    @Override
    public String toString() {
        return "Transaction{xid=" + xid + ", commitLsn=" + commitLsn + ", endLsn=" + endLsn + ", kind=" + kind + "}";
    }
}
