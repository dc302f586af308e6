package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The commit times of transactions handed to the handler and not yet acknowledged, for lag in seconds: the commit
 * time of the last acknowledged transaction (how far behind the source the destination is) and of the oldest
 * unacknowledged one (how long the handler has held it). The stream thread adds; acknowledgements arrive on any
 * thread, and a scrape reads from another, so every method is synchronized (one short critical section per
 * transaction).
 *
 * <p>At most {@link #CAPACITY} transactions are remembered: past that, newer ones are not recorded until the handler
 * catches up, so the oldest unacknowledged time stays exact and the last acknowledged one may lag a little.
 */
final class CommitTimes {
    static final int CAPACITY = 65_536;

    private record Entry(long end, Instant commitTime) {}

    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private Instant lastAcknowledged;

    /** A transaction handed to the handler, ending at {@code end}. */
    synchronized void handed(Lsn end, Instant commitTime) {
        if (end.isValid() && commitTime != null && pending.size() < CAPACITY) {
            pending.addLast(new Entry(end.value(), commitTime));
        }
    }

    /** Everything up to {@code acked} is acknowledged. */
    synchronized void acknowledged(Lsn acked) {
        long a = acked.value();
        while (!pending.isEmpty() && Long.compareUnsigned(pending.peekFirst().end(), a) <= 0) {
            lastAcknowledged = pending.pollFirst().commitTime();
        }
    }

    /** The commit time of the last acknowledged transaction, or null before the first. */
    synchronized Instant lastAcknowledged() {
        return lastAcknowledged;
    }

    /** The commit time of the oldest transaction handed and not acknowledged, or null when none is. */
    synchronized Instant oldestUnacknowledged() {
        return pending.isEmpty() ? null : pending.peekFirst().commitTime();
    }

    /** After a lost connection: the server sends the unacknowledged transactions again. */
    synchronized void forgetUnacknowledged() {
        pending.clear();
    }
}
