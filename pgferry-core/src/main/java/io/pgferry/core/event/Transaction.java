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
 * (rows of the initial snapshot), from the stream's off-heap buffer or from a local spill file (a large transaction),
 * so memory stays bounded whatever the transaction's size. If reading fails (a spill file cannot be read back, the
 * connection a snapshot is read from breaks), {@code next()} throws; within {@code onTransaction} that is a failure of
 * the handler, handled as {@link TransactionHandler} says under "Failures". A handler that writes as it iterates must
 * be ready to undo or overwrite a partial write of a transaction delivered again. The events returned, and their
 * rows, stay valid after the transaction ends: each holds its own copy of the bytes.
 *
 * <p><b>Lifetime.</b> The changes are readable while {@code onTransaction} runs. When it returns, the stream takes
 * back the memory (or spill file, or server connection) they are read from, and reuses it for later transactions;
 * from then on {@code hasNext()} and {@code next()} of the changes throw {@link IllegalStateException}, as do
 * {@link #iterator()} and {@link #preparedChanges()}, rather than read what belongs to another transaction. A handler
 * that wants to read them later, on another thread, calls {@link #retain()} before {@code onTransaction} returns: the
 * transaction is then the handler's until it calls {@link #release()}, which gives the memory back (reading after
 * that throws too). A retained transaction is read under a lock that {@link #release()} also takes, so a release
 * from another thread never lands in the middle of a {@code next()}.
 *
 * <p><b>Backpressure.</b> What retained transactions hold counts against the stream's memory limit (their buffered
 * changes, in memory or spilled). While they hold at least the limit (with a limit of 0: while any is retained), the
 * stream delivers nothing more and waits for a release, reading nothing from the server meanwhile: release promptly.
 * A stop requested while it waits ends the stream without delivering the waiting transaction (it is delivered again
 * on the next run). A retained snapshot transaction holds the stream until it is released, whatever the limit: its
 * rows come straight from the server. If the stream is stopped meanwhile, the transaction is ended for the handler
 * (reading throws) and the stream stops with an error: the snapshot is incomplete.
 *
 * <p><b>Prepared changes.</b> For a {@link PreparingHandler} a transaction carries instead the bytes the handler
 * returned for each change as it arrived ({@link #hasPreparedChanges()}, {@link #preparedChanges()}), iterated once
 * like the changes, with the same lifetime; the commit position and time here are what those bytes could not know.
 *
 * <p><b>Acknowledgement.</b> {@link #ack()} tells the stream that everything this transaction covers is durable at
 * the destination. It may be called from any thread, during or after {@code onTransaction}, retained or not.
 * Acknowledging a transaction also acknowledges every transaction delivered before it. The stream confirms an LSN to
 * the server only after it has been acknowledged and saved in the checkpoint store, so a crash at any instant loses
 * nothing; a transaction not yet acknowledged at a crash is delivered again.
 *
 * <p>A transaction made with a public constructor, outside a stream (a test's, say), has no {@link Delivery}: nothing
 * ends it but {@link #release()}.
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
    /**
     * Guards the lifecycle and every read of the changes, so that the end of the transaction (on the stream's
     * thread, or the handler's releasing one) never lands in the middle of a read on another.
     */
    private final Object lock = new Object();

    private boolean iterated;
    private boolean retained;
    private boolean ended;
    /** Set once, before a handler sees the transaction; null for one made outside a stream. */
    private Delivery delivery;

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
     * {@link #hasPreparedChanges() carries prepared changes} or that has ended (see the class comment, "Lifetime").
     * The iterator's {@code hasNext()} and {@code next()} throw {@link IllegalStateException} once the transaction
     * has ended.
     */
    @Override
    public Iterator<ChangeEvent> iterator() {
        if (prepared != null) {
            throw new IllegalStateException("this transaction carries the bytes its handler prepared for each change,"
                    + " not the changes: read them with preparedChanges()");
        }
        synchronized (lock) {
            requireOpen();
            markIterated();
            return new Guarded<>(changes);
        }
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
     * {@link IllegalStateException} on a second call, when {@link #hasPreparedChanges()} is false, or once the
     * transaction has ended, as its iterator then does. The arrays are the caller's to keep. Like {@link #iterator()},
     * {@code next()} may throw if reading them back fails.
     */
    public Iterator<byte[]> preparedChanges() {
        if (prepared == null) {
            throw new IllegalStateException("this transaction carries its changes, not prepared bytes: iterate it");
        }
        synchronized (lock) {
            requireOpen();
            markIterated();
            return new Guarded<>(prepared);
        }
    }

    private void markIterated() {
        if (iterated) {
            throw new IllegalStateException("the changes of a transaction can be iterated only once");
        }
        iterated = true;
    }

    /** Called holding the lock. */
    private void requireOpen() {
        if (ended) {
            throw new IllegalStateException(
                    retained
                            ? "this transaction was released (or ended by a stopping stream): its changes are gone"
                            : "this transaction ended when onTransaction returned: call retain() in onTransaction"
                                    + " to read its changes later");
        }
    }

    /**
     * Keeps the changes readable after {@code onTransaction} returns, from any thread, until {@link #release()}. Must
     * be called before {@code onTransaction} returns (from any thread), once; throws {@link IllegalStateException}
     * otherwise. See the class comment ("Lifetime", "Backpressure").
     *
     * @return this transaction
     */
    public Transaction retain() {
        synchronized (lock) {
            if (ended) {
                throw new IllegalStateException(
                        "retain() must be called before onTransaction returns: this transaction has ended");
            }
            if (retained) {
                throw new IllegalStateException("this transaction is already retained");
            }
            retained = true;
            if (delivery != null) {
                delivery.onRetain.run();
            }
            return this;
        }
    }

    /**
     * Gives a {@link #retain() retained} transaction back to the stream, which may then reuse what its changes were
     * read from; reading them afterwards throws {@link IllegalStateException}. Any thread; waits for a read in
     * progress on another thread to finish. Releasing again does nothing; releasing a transaction that was not
     * retained throws {@link IllegalStateException}. Does not acknowledge: that is {@link #ack()}.
     */
    public void release() {
        synchronized (lock) {
            if (!retained) {
                throw new IllegalStateException("release() of a transaction that was not retained");
            }
            end();
        }
    }

    /** Called holding the lock. */
    private void end() {
        if (!ended) {
            ended = true;
            if (delivery != null) {
                delivery.onEnd.run();
            }
        }
    }

    /** Reads under the transaction's lock, and only while it has not ended. */
    private final class Guarded<T> implements Iterator<T> {
        private final Iterator<T> inner;

        Guarded(Iterator<T> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            synchronized (lock) {
                requireOpen();
                return inner.hasNext();
            }
        }

        @Override
        public T next() {
            synchronized (lock) {
                requireOpen();
                return inner.next();
            }
        }
    }

    /**
     * The side of a transaction its deliverer holds (the stream; a handler never needs it): it ends the transaction
     * when the handler returns unless the handler retained it, and learns when the memory its changes are read from
     * may be reused. The callbacks run holding the transaction's lock, so no read of the changes is in progress; they
     * must not call back into the transaction.
     */
    public static final class Delivery {
        private final Transaction transaction;
        private final Runnable onRetain;
        private final Runnable onEnd;

        /**
         * Takes charge of {@code transaction}, before any handler sees it.
         *
         * @param onRetain runs when the handler {@link Transaction#retain() retains} it, on the handler's thread
         * @param onEnd runs once, when the transaction ends: in {@link #end()} or {@link #revoke()} on the
         *     deliverer's thread, or in {@link Transaction#release()} on the handler's. The changes are never read
         *     after it starts
         * @throws IllegalStateException if the transaction already has a deliverer, or was retained already
         */
        public Delivery(Transaction transaction, Runnable onRetain, Runnable onEnd) {
            this.transaction = transaction;
            this.onRetain = onRetain;
            this.onEnd = onEnd;
            synchronized (transaction.lock) {
                if (transaction.delivery != null || transaction.retained || transaction.ended) {
                    throw new IllegalStateException("the transaction is already being delivered");
                }
                transaction.delivery = this;
            }
        }

        public Transaction transaction() {
            return transaction;
        }

        /**
         * The handler returned from {@code onTransaction} (or threw): ends the transaction unless the handler retained
         * it.
         *
         * @return true when the handler holds it (retained, not yet released): {@code onEnd} runs at its release
         */
        public boolean end() {
            synchronized (transaction.lock) {
                if (!transaction.retained) {
                    transaction.end();
                }
                return !transaction.ended;
            }
        }

        /** Ends the transaction now, retained or not, for a deliverer that cannot wait for the release any longer. */
        public void revoke() {
            synchronized (transaction.lock) {
                transaction.end();
            }
        }
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
