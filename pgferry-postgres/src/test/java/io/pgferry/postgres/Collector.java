package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.fail;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A handler for tests: keeps every delivered transaction as plain data (the changes' text values), acknowledges each
 * at once, and lets the test wait for a condition with a deadline.
 *
 * <p>Ordinary transactions without changes are counted ({@link #empties()}) but not kept: PostgreSQL 14 sends BEGIN
 * and COMMIT for every transaction, including those that changed no published table (catalog writes, other tables),
 * while 15 and later skip them; keeping them out makes the tests' transaction counts hold on every version.
 */
final class Collector implements TransactionHandler {
    /** One change, its values kept as PostgreSQL text (null for NULL, "<toast>" for unchanged TOAST). */
    record Change(String op, String table, List<String> before, List<String> after, ChangeEvent event) {}

    /** One transaction as delivered. */
    record Tx(
            long xid,
            Lsn commitLsn,
            Lsn endLsn,
            Instant commitTime,
            Transaction.Kind kind,
            String origin,
            List<Change> changes) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Tx> transactions = new ArrayList<>();
    private final boolean ack;
    private int idles;
    private int empties;

    Collector() {
        this(true);
    }

    Collector(boolean ack) {
        this.ack = ack;
    }

    @Override
    public void onTransaction(Transaction tx) {
        List<Change> changes = new ArrayList<>();
        for (ChangeEvent e : tx) {
            changes.add(toChange(e));
        }
        lock.lock();
        try {
            if (changes.isEmpty() && tx.kind() == Transaction.Kind.COMMITTED) {
                empties++;
            } else {
                transactions.add(new Tx(
                        tx.xid(), tx.commitLsn(), tx.endLsn(), tx.commitTime(), tx.kind(), tx.origin(), changes));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (ack) {
            tx.ack();
        }
    }

    @Override
    public void onIdle() {
        lock.lock();
        try {
            idles++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ordinary transactions delivered without any change (PostgreSQL 14 only). */
    int empties() {
        lock.lock();
        try {
            return empties;
        } finally {
            lock.unlock();
        }
    }

    /** How many times the stream reported being idle (caught up, nothing waiting). */
    int idles() {
        lock.lock();
        try {
            return idles;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the stream reported being idle at least {@code n} times, or fails after 60 s. */
    void awaitIdles(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        lock.lock();
        try {
            while (idles < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("the stream reported idle " + idles + " times, not " + n);
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    static Change toChange(ChangeEvent e) {
        if (e instanceof ChangeEvent.Insert c) {
            return new Change("insert", name(c.relation()), null, texts(c.after()), e);
        } else if (e instanceof ChangeEvent.Update c) {
            return new Change("update", name(c.relation()), texts(c.before()), texts(c.after()), e);
        } else if (e instanceof ChangeEvent.Delete c) {
            return new Change("delete", name(c.relation()), texts(c.before()), null, e);
        } else if (e instanceof ChangeEvent.Read c) {
            return new Change("read", name(c.relation()), null, texts(c.after()), e);
        } else if (e instanceof ChangeEvent.Truncate c) {
            return new Change("truncate", c.relations().toString(), null, null, e);
        } else if (e instanceof ChangeEvent.Message c) {
            return new Change("message", c.prefix(), null, null, e);
        }
        throw new IllegalArgumentException("unknown change " + e);
    }

    private static String name(Relation r) {
        return r.schema() + "." + r.table();
    }

    private static List<String> texts(Row row) {
        if (row == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            out.add(row.isUnchangedToast(i) ? "<toast>" : row.text(i));
        }
        return out;
    }

    List<Tx> transactions() {
        lock.lock();
        try {
            return List.copyOf(transactions);
        } finally {
            lock.unlock();
        }
    }

    List<Change> changes() {
        return transactions().stream().flatMap(t -> t.changes().stream()).toList();
    }

    /** Waits until {@code condition} holds for the transactions so far, or fails after {@code timeout}. */
    List<Tx> await(Predicate<List<Tx>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(transactions)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("condition not met within " + timeout + "; got " + transactions.size() + " transactions: "
                            + transactions);
                }
                changed.awaitNanos(left);
            }
            return List.copyOf(transactions);
        } finally {
            lock.unlock();
        }
    }

    List<Tx> awaitTransactions(int n) throws InterruptedException {
        return await(t -> t.size() >= n, Duration.ofSeconds(60));
    }

    List<Change> awaitChanges(int n) throws InterruptedException {
        await(t -> t.stream().mapToInt(x -> x.changes().size()).sum() >= n, Duration.ofSeconds(60));
        return changes();
    }
}
