package io.pgferry.connect.source;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.Transaction;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Which source transactions Connect holds durably, and so may be acknowledged to the stream (which then confirms
 * them to the slot). A transaction is held once every record made of it, and of every transaction before it, has
 * been committed by Connect ({@code commitRecord}: written to Kafka, or dropped by a transformation) and the offsets
 * of those records are stored. The offsets are stored when Connect next flushes them: Connect takes the offsets of
 * the records committed so far when a flush begins and calls {@code commit()} when it ends, so what was held at one
 * {@code commit()} is stored by the next one, and only then acknowledged. With exactly-once delivery and transaction
 * boundaries set by the task, a record is committed only with its Kafka transaction, which stores its offset too:
 * what is held is acknowledged at once.
 *
 * <p>Only a transaction that made records is acknowledged on its own: its offsets cover its position. One that made
 * none (a message the task does not deliver, records all written before a restart) is covered by the next
 * acknowledgement; so the slot is never confirmed past the position the stored offsets hold, and a stored offset
 * behind the slot always means that something else consumed the slot.
 *
 * <p>Thread-safe: records are polled on the task's thread and committed on the producer's.
 */
final class Acknowledgements {
    /** The records of one source transaction (all rows of the initial snapshot count as one). */
    private static final class Unit {
        final long commitLsn;
        long made;
        long committed;
        boolean polled;
        /** What acknowledges this unit: its transaction (for a snapshot, the last table's); null for none. */
        Transaction ackable;

        Unit(long commitLsn) {
            this.commitLsn = commitLsn;
        }

        boolean held() {
            return polled && committed >= made;
        }
    }

    private final ArrayDeque<Unit> order = new ArrayDeque<>();
    private final Map<Long, Unit> byLsn = new HashMap<>();
    /** The last transaction held, with every one before it. */
    private Transaction held;
    /** What was held at the last {@code commit()}: stored by the next. */
    private Transaction heldAtLastCommit;

    /** A unit's records are about to be made: the unit of {@code commitLsn}, made now if it is new. */
    synchronized void open(Lsn commitLsn) {
        Unit last = order.peekLast();
        if (last == null || last.commitLsn != commitLsn.value()) {
            Unit u = new Unit(commitLsn.value());
            order.addLast(u);
            byLsn.put(u.commitLsn, u);
        }
    }

    /** One more record of the unit of {@code commitLsn} was handed to Connect. */
    synchronized void made(Lsn commitLsn) {
        byLsn.get(commitLsn.value()).made++;
    }

    /**
     * Every record of the unit of {@code commitLsn} was handed to Connect (or none was made).
     *
     * @param ackable the transaction whose acknowledgement covers the unit; null when another is still to come (a
     *     snapshot table but the last)
     */
    synchronized void polled(Lsn commitLsn, Transaction ackable, boolean complete) {
        Unit u = byLsn.get(commitLsn.value());
        if (ackable != null && ackable.endLsn().isValid()) {
            u.ackable = ackable;
        }
        u.polled = complete;
        advance();
    }

    /** Connect committed a record whose offset names {@code commitLsn}. */
    synchronized void committed(long commitLsn) {
        Unit u = byLsn.get(commitLsn);
        if (u != null) {
            u.committed++;
            advance();
        }
    }

    private void advance() {
        while (!order.isEmpty() && order.peekFirst().held()) {
            Unit u = order.removeFirst();
            byLsn.remove(u.commitLsn);
            if (u.made > 0 && u.ackable != null) {
                held = u.ackable;
            }
        }
    }

    /**
     * Connect finished storing offsets: the transaction to acknowledge now, or null.
     *
     * @param storedWithRecords whether records are committed only with their offsets (exactly-once, with the
     *     task's transaction boundaries)
     */
    synchronized Transaction onCommit(boolean storedWithRecords) {
        Transaction now = storedWithRecords ? held : heldAtLastCommit;
        heldAtLastCommit = held;
        return now;
    }

    /** Records handed to Connect and not yet committed, for the log. */
    synchronized long pending() {
        long n = 0;
        for (Unit u : order) {
            n += u.made - u.committed;
        }
        return n;
    }
}
