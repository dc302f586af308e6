package io.pgferry.connect.source;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.TupleData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Transactions on their way from the stream's thread, which decodes them, to the task's, which turns them into
 * records in {@code poll()}. A small transaction (up to {@link #READ_AHEAD} changes) is read on the stream's thread and
 * handed over as a list, so that the stream gets its buffer back at once: the stream buffers each transaction in
 * chunks of its memory limit, and holding many small ones would push the next ones to disk; with a {@link Prepare},
 * its records are made there too, off the task's thread. A larger one is retained and read by the task, the stream's
 * memory limit and spill files keeping it bounded.
 *
 * <p>At most {@code maxChanges} changes, and about {@code maxBytes} of them, wait here; past either the stream's thread
 * waits for {@code poll()} to take some (Kafka slower than the source), as the stream does for retained transactions.
 * The bytes are an estimate of the memory the read changes and their records hold: what the server sent of each row,
 * twice, plus a fixed cost per change and column. One transaction is always let in when none waits, so that a change
 * larger than the budget still goes through.
 *
 * <p>Thread-safe: one producer (the stream's thread), one consumer (the task's).
 */
final class Handoff {
    /** Changes read on the stream's thread before a transaction is taken for a large one. */
    static final int READ_AHEAD = 1024;

    /**
     * Makes the records of a transaction read whole, on the stream's thread, so that the task's thread, which also
     * runs Connect's converter and send path for every record, only hands them over.
     */
    interface Prepare {
        /** The records of {@code read}'s changes, or null to leave them to the task (transaction metadata on). */
        Prepared prepare(Transaction tx, List<ChangeEvent> read);
    }

    /**
     * The records made ahead for a transaction's changes: change {@code i}'s are {@code records} from {@code ends[i -
     * 1]} (0 for the first) to {@code ends[i]}; none for a heartbeat, which the task makes itself.
     */
    record Prepared(List<Encoder.Encoded> records, int[] ends) {}

    /**
     * A transaction handed over: the changes read so far and, for one retained, the iterator of the rest.
     *
     * @param rest null when every change was read
     * @param prepared the records made ahead, for a transaction read whole; else null
     */
    record Handed(Transaction tx, List<ChangeEvent> read, Iterator<ChangeEvent> rest, Prepared prepared, long bytes) {
        boolean retained() {
            return rest != null;
        }

        Iterator<ChangeEvent> changes() {
            Iterator<ChangeEvent> first = read.iterator();
            if (rest == null) {
                return first;
            }
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return first.hasNext() || rest.hasNext();
                }

                @Override
                public ChangeEvent next() {
                    return first.hasNext() ? first.next() : rest.next();
                }
            };
        }

        /** Gives a retained transaction back to the stream. */
        void release() {
            if (rest != null) {
                tx.release();
            }
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition taken = lock.newCondition();
    private final Condition added = lock.newCondition();
    private final ArrayDeque<Handed> queue = new ArrayDeque<>();
    private final long maxChanges;
    private final long maxBytes;
    private final Prepare prepare;
    private long changes;
    private long bytes;

    /**
     * @param maxBytes about how much memory the waiting changes may hold (the connector's memory limit)
     * @param prepare makes the records of small transactions on the stream's thread; null for none
     */
    Handoff(long maxChanges, long maxBytes, Prepare prepare) {
        this.maxChanges = maxChanges;
        this.maxBytes = maxBytes;
        this.prepare = prepare;
    }

    /** The estimate of the memory {@code read} holds once read and made into records (see the class comment). */
    static long estimate(List<ChangeEvent> read) {
        long total = 0;
        for (ChangeEvent c : read) {
            total += 64;
            if (c instanceof ChangeEvent.Insert i) {
                total += rowBytes(i.after());
            } else if (c instanceof ChangeEvent.Update u) {
                total += rowBytes(u.before()) + rowBytes(u.after());
            } else if (c instanceof ChangeEvent.Delete d) {
                total += rowBytes(d.before());
            } else if (c instanceof ChangeEvent.Read r) {
                total += rowBytes(r.after());
            } else if (c instanceof ChangeEvent.Message m) {
                total += 2L * m.content().length;
            }
        }
        return total;
    }

    private static long rowBytes(Row row) {
        if (row == null) {
            return 0;
        }
        TupleData t = row.tuple();
        long sent = 0;
        for (int i = 0; i < t.size(); i++) {
            sent += t.length(i);
        }
        return 2 * sent + 16L * t.size();
    }

    /**
     * On the stream's thread: reads or retains {@code tx} and queues it, once there is room.
     *
     * @return false when {@code stopping} became true while it waited: the transaction is not queued
     */
    boolean put(Transaction tx, BooleanSupplier stopping) throws InterruptedException {
        Iterator<ChangeEvent> it = tx.iterator();
        List<ChangeEvent> read = new ArrayList<>();
        while (read.size() < READ_AHEAD && it.hasNext()) {
            read.add(it.next());
        }
        boolean whole = !it.hasNext();
        Handed h = new Handed(
                tx,
                read,
                whole ? null : it,
                whole && prepare != null ? prepare.prepare(tx, read) : null,
                estimate(read));
        if (h.retained()) {
            tx.retain();
        }
        lock.lock();
        try {
            while ((changes >= maxChanges || bytes + h.bytes() > maxBytes) && !queue.isEmpty()) {
                if (stopping.getAsBoolean()) {
                    h.release();
                    return false;
                }
                taken.await(100, TimeUnit.MILLISECONDS);
            }
            queue.addLast(h);
            changes += read.size();
            bytes += h.bytes();
            added.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** On the task's thread: the next transaction, waiting up to {@code nanos}; null when none came. */
    Handed poll(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (queue.isEmpty()) {
                if (left <= 0) {
                    return null;
                }
                left = added.awaitNanos(left);
            }
            Handed h = queue.removeFirst();
            changes -= h.read().size();
            bytes -= h.bytes();
            taken.signal();
            return h;
        } finally {
            lock.unlock();
        }
    }

    /** Releases every retained transaction still queued (the task is stopping). */
    void releaseAll() {
        lock.lock();
        try {
            for (Handed h; (h = queue.pollFirst()) != null; ) {
                h.release();
            }
            changes = 0;
            bytes = 0;
            taken.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
