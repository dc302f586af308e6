package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.SourceTransaction;
import io.pgferry.core.sink.Stage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the stream through a {@link ChangeSink}, grouping consecutive source transactions into one sink batch: the
 * batch is committed when it holds {@code maxRows} changes or {@code maxBytes} of rows ({@link
 * ChangeSink#batchBytes()}), when it has been open {@code maxDelay}, or as soon as the
 * stream has nothing more waiting and the applier has applied everything handed over.
 *
 * <p><b>Acknowledgement.</b> A committed batch is acknowledged (its last transaction, which acknowledges every
 * earlier one) only once the sink says it is durable ({@link ChangeSink#durablePosition()}): at once after the commit
 * when it already is, else by a background check every {@link #DURABILITY_CHECK_MILLIS} ms. So the stream confirms to
 * the source nothing that is not durable at the destination, while the destination never waits for a flush between
 * batches.
 *
 * <p><b>Pipelining.</b> The stream's thread only {@linkplain Transaction#retain() retains} each transaction and
 * queues it; an applier thread of its own applies the queue in order and releases each transaction once its changes
 * are written, so the stream receives and decodes the next transactions meanwhile. The stream's memory limit, which
 * counts what retained transactions hold, and a bound on the queue keep the stream from running ahead without limit.
 * {@link #onIdle} only signals the applier, which commits its batch once nothing more is queued; {@link #close()}
 * applies and commits what is still queued. A sink may write a committed batch behind ({@link ChangeSink}) while the
 * applier gathers the next; the applier waits for it when the stream is idle, at the end, and before the replay
 * after a chunked copy ends.
 *
 * <p><b>Retries.</b> On a failure the open batch is rolled back, the sink closed, and what was queued behind the
 * failed transaction dropped without being applied; the failure is thrown to the stream at its next call, which
 * retries a retriable one by delivering again every transaction not acknowledged. Those a lost sink had committed
 * are recognised by the position the next sink reads from the destination, and skipped. The stream may also deliver
 * again after a reconnect of its own while the sink lives on (the source connection was lost, a checkpoint could not
 * be saved): a transaction ending at or before the last one this sink applied is not applied again; the open batch
 * is committed and the new delivery acknowledged once durable, the old deliveries' acknowledgements being void.
 *
 * <p><b>Replay after a chunked copy.</b> A transaction whose commit record precedes the position from which apply is
 * exact (read from the destination with each new sink) is applied by the sink's idempotent rules, every later one
 * exactly.
 */
final class ApplyHandler implements TransactionHandler {
    private static final ApplyItem.Signal IDLE = ApplyItem.Signal.IDLE;
    private static final ApplyItem.Signal STOP = ApplyItem.Signal.STOP;

    private static final Logger log = LoggerFactory.getLogger(ApplyHandler.class);
    static final long DURABILITY_CHECK_MILLIS = 10;

    private final Supplier<ChangeSink> sinks;
    private final Replay replay;
    private final Stage stage;
    private final AppliedFrom appliedFrom;
    private final int maxRows;
    private final long maxBytes;
    private final long maxDelayNanos;
    private final Runnable onCaughtUp;
    private final SchemaWatch schema;
    /** Committed, not yet acknowledged, in commit order; guarded by itself. */
    private final ArrayDeque<Transaction> committed = new ArrayDeque<>();

    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgferry-durability");
        t.setDaemon(true);
        return t;
    });
    /**
     * Transactions handed over and not yet applied, at most one per 8 KiB of the stream's memory limit (2 to 8,192;
     * 8,192 in the default 64 MB). A retained transaction that fits in one 64 KiB chunk of that memory moves to the
     * heap at its exact size, so a queue of small transactions holds what they are, and the stream's retained-bytes
     * limit still bounds the whole. The bound lets the stream decode ahead while the applier writes a batch.
     */
    static int queueCapacity(long memoryLimitBytes) {
        return (int) Math.max(2, Math.min(8192, memoryLimitBytes >> 13));
    }

    private final BlockingQueue<ApplyItem> queue;
    /** Items the applier has taken from the queue and not yet handled, in order; the applier's own. */
    private final ArrayDeque<ApplyItem> taken = new ArrayDeque<>();
    /** Set by the applier; thrown to the stream, then cleared, by {@link #throwIfFailed}. */
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private final Thread applier;
    private volatile ChangeSink sink;
    /** Transactions ending at or before this are already committed at the destination. */
    private Lsn skipThrough = Lsn.INVALID;
    /** The end of the last transaction the open sink applied (committed or in the open batch), or skipThrough. */
    private Lsn appliedThrough = Lsn.INVALID;
    /** The end of the last transaction delivered: one ending at or before it starts a delivery round again. */
    private Lsn lastDelivered = Lsn.INVALID;
    /** Transactions committed before this are replayed idempotently; INVALID when none are. */
    private Lsn replayBefore = Lsn.INVALID;
    /** What the open sink was last told: it starts exact. */
    private boolean idempotent;

    /** The change being applied, as the stream gave it (before the stage); the applier's own. */
    private ChangeEvent applying;

    private Transaction last;
    private long rows;
    private long openedAt;
    private final BatchCounters counters = new BatchCounters();
    private final TableCounts tableCounts = new TableCounts();

    /**
     * @param sinks opens a sink (again after a failure)
     * @param replay the replay after a chunked copy, {@link Replay#NONE} without one
     * @param memoryLimitBytes the stream's memory limit, which bounds how far it may run ahead of the applier
     * @param onCaughtUp called on the stream thread after each commit made because the stream had nothing waiting
     */
    ApplyHandler(
            Supplier<ChangeSink> sinks,
            Replay replay,
            long memoryLimitBytes,
            Stage stage,
            AppliedFrom appliedFrom,
            SchemaWatch schema,
            int maxRows,
            long maxBytes,
            Duration maxDelay,
            Runnable onCaughtUp) {
        this.sinks = sinks;
        this.queue = new LinkedBlockingQueue<>(queueCapacity(memoryLimitBytes));
        this.replay = replay;
        this.schema = schema;
        this.stage = stage;
        this.appliedFrom = appliedFrom;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.maxDelayNanos = maxDelay.toNanos();
        this.onCaughtUp = onCaughtUp;
        applier = new Thread(this::applyLoop, "pgferry-apply");
        applier.setDaemon(true);
        applier.start();
        checker.scheduleWithFixedDelay(
                this::acknowledgeDurableQuietly,
                DURABILITY_CHECK_MILLIS,
                DURABILITY_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Hands {@code tx} to the applier and returns: the stream decodes the next transactions while this one is applied.
     * A failure of the applier is thrown here (or from {@link #onIdle}) once everything handed over before it has
     * been dropped, so that what the stream delivers again comes after.
     */
    @Override
    public void onTransaction(Transaction tx) {
        throwIfFailed();
        tx.retain();
        try {
            queue.put(new ApplyItem.Deliver(tx));
        } catch (InterruptedException e) {
            tx.release();
            Thread.currentThread().interrupt();
            throw PgFerryException.fatal("interrupted while handing a transaction to the applier", "run it again", e);
        }
    }

    /**
     * Tells the applier the stream has nothing more waiting, so the batch it holds should be committed once it has
     * applied what is queued; does not wait.
     */
    @Override
    public void onIdle() {
        throwIfFailed();
        // A full queue means the applier is busy: the signal adds nothing then.
        queue.offer(IDLE);
    }

    private void throwIfFailed() {
        RuntimeException e = failure.get();
        if (e == null) {
            return;
        }
        // The applier drops what was queued behind the failure: wait for that, so that what the stream delivers
        // again comes after.
        ApplyItem.Drain drain = new ApplyItem.Drain();
        try {
            queue.put(drain);
            drain.done.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        failure.set(null);
        throw e;
    }

    /**
     * The applier thread: applies what the stream hands over, in order. The open batch is committed at {@code
     * maxRows} changes, when it has been open {@code maxDelay}, and at an idle signal with nothing queued behind it.
     */
    private void applyLoop() {
        while (true) {
            ApplyItem item;
            try {
                item = next();
            } catch (InterruptedException e) {
                return;
            }
            if (failure.get() != null) {
                // Dropped, not applied: unacknowledged, so the stream delivers it again after the failure.
                finish(item);
                if (item == STOP) {
                    return;
                }
                continue;
            }
            try {
                if (item == null) {
                    commit();
                } else if (item instanceof ApplyItem.Deliver d) {
                    apply(d.tx());
                } else if (item == IDLE) {
                    if (taken.isEmpty() && queue.isEmpty()) {
                        settle();
                        onCaughtUp.run();
                    }
                } else if (item == STOP) {
                    settle();
                    return;
                }
            } catch (RuntimeException e) {
                abandon();
                failure.set(e);
            } catch (Error e) {
                abandon();
                failure.set(PgFerryException.fatal("the applier failed: " + e, "see the cause", e));
            } finally {
                finish(item);
            }
        }
    }

    /**
     * The next item, or null when the open batch's delay ran out first. Items are taken from the queue as many as
     * there are at a time: taken one by one, a full queue woke the stream's thread for every transaction, and the two
     * threads spent a third of their time handing small transactions over (the Kafka benchmark).
     */
    private ApplyItem next() throws InterruptedException {
        ApplyItem item = taken.poll();
        if (item != null) {
            return item;
        }
        if (queue.drainTo(taken) > 0) {
            return taken.poll();
        }
        return last == null
                ? queue.take()
                : queue.poll(Math.max(0, maxDelayNanos - (System.nanoTime() - openedAt)), TimeUnit.NANOSECONDS);
    }

    private static void finish(ApplyItem item) {
        if (item instanceof ApplyItem.Deliver d) {
            d.tx().release();
        } else if (item instanceof ApplyItem.Drain i) {
            i.done.countDown();
        }
    }

    private void apply(Transaction tx) {
        if (sink == null) {
            ChangeSink s = sinks.get();
            skipThrough = s.position().orElse(Lsn.INVALID);
            appliedThrough = skipThrough;
            replayBefore = replay.exactFrom().get();
            if (replayBefore.isValid()) {
                s.movedRows(() -> replay.read(applying, stage));
            }
            sink = s;
        }
        if (tx.endLsn().isValid() && !tx.endLsn().isAfter(skipThrough)) {
            // Committed by a sink lost before it was acknowledged; durable, as position() says.
            tx.ack();
            lastDelivered = tx.endLsn();
            return;
        }
        if (tx.endLsn().isValid() && !tx.endLsn().isAfter(appliedThrough)) {
            appliedAlready(tx);
            return;
        }
        if (last == null) {
            sink.begin();
            openedAt = System.nanoTime();
        }
        boolean replayed = replayBefore.isValid() && tx.commitLsn().isBefore(replayBefore);
        if (replayed != idempotent) {
            if (!replayed) {
                // The replay is over: what it could have violated is built on the target as it now is.
                settle();
                log.info("replayed the changes made during the chunked copy; applying exactly from {}", tx.commitLsn());
                replay.onReplayed().run();
                sink.begin();
                openedAt = System.nanoTime();
            }
            sink.idempotent(replayed);
            idempotent = replayed;
        }
        sink.beginTransaction(new SourceTransaction(tx.xid(), tx.commitLsn(), tx.endLsn(), tx.commitTime(), -1));
        long changes = 0;
        Stage held = appliedFrom.at(tx.commitLsn());
        Stage txStage = held == Stage.IDENTITY ? stage : held.andThen(stage);
        for (ChangeEvent change : tx) {
            schema.check(change, tx.commitLsn(), sink);
            applying = change;
            ChangeEvent c = txStage.process(change);
            if (c != null) {
                sink.apply(c);
                tableCounts.count(c);
                changes++;
            }
            if (idempotent) {
                extendReplay();
            }
        }
        sink.endTransaction(new SourceTransaction(tx.xid(), tx.commitLsn(), tx.endLsn(), tx.commitTime(), changes));
        rows += changes;
        last = tx;
        if (tx.endLsn().isValid()) {
            appliedThrough = tx.endLsn();
            lastDelivered = tx.endLsn();
        }
        if (rows >= maxRows
                || sink.batchBytes() >= maxBytes
                || System.nanoTime() - openedAt >= maxDelayNanos
                || sink.transactionPerBatch()) {
            commit();
        }
    }

    /**
     * Commits the open batch, waits until the sink has written every batch it committed (it may write them behind:
     * see {@link ChangeSink}), and acknowledges what is durable.
     */
    private void settle() {
        commit();
        if (sink != null) {
            sink.awaitCommitted();
        }
        acknowledgeDurable();
    }

    /**
     * Rows read at the source are as the source had them at a later point than the change, as a chunk's are: the
     * replay is extended to that point, recorded with the sink's next commit.
     */
    private void extendReplay() {
        Lsn through = replay.completion().readThrough();
        if (through.isAfter(replayBefore)) {
            replayBefore = through;
            sink.extendReplay(through);
        }
    }

    private void commit() {
        if (last == null) {
            return;
        }
        sink.commit(last.endLsn(), last.commitTime());
        synchronized (committed) {
            committed.addLast(last);
        }
        last = null;
        counters.committed(rows, System.nanoTime() - openedAt);
        tableCounts.commit();
        rows = 0;
        acknowledgeDurable();
    }

    /**
     * A transaction this sink applied already, delivered again: the stream reconnected while it was applied but not
     * yet acknowledged. Regression (issue 5): it was applied twice, and a keyless table got its rows twice. The open
     * batch, which may hold it, is committed; the acknowledgements waiting belong to the deliveries the reconnect
     * revoked, so this delivery's replace them, from its first transaction on.
     */
    private void appliedAlready(Transaction tx) {
        commit();
        synchronized (committed) {
            if (!tx.endLsn().isAfter(lastDelivered)) {
                committed.clear();
            }
            committed.addLast(tx);
        }
        lastDelivered = tx.endLsn();
        acknowledgeDurable();
    }

    /** Acknowledges the last committed transaction the sink says is durable. */
    private void acknowledgeDurable() {
        ChangeSink s = sink;
        if (s == null) {
            return;
        }
        synchronized (committed) {
            if (committed.isEmpty()) {
                return;
            }
            Lsn durable = s.durablePosition();
            Transaction ack = null;
            while (!committed.isEmpty() && !committed.peekFirst().endLsn().isAfter(durable)) {
                ack = committed.removeFirst();
            }
            if (ack != null) {
                ack.ack();
            }
        }
    }

    private void acknowledgeDurableQuietly() {
        try {
            acknowledgeDurable();
        } catch (RuntimeException e) {
            // The next check, or the stream's own failure handling, deals with a destination that went away.
            log.debug("durability check failed: {}", e.getMessage());
        }
    }

    private void abandon() {
        last = null;
        idempotent = false;
        rows = 0;
        tableCounts.abandon();
        schema.rewind();
        synchronized (committed) {
            committed.clear();
            ChangeSink s = sink;
            sink = null;
            if (s != null) {
                s.rollback();
                s.close();
            }
        }
    }

    /** Changes applied and committed so far. */
    long applied() {
        return counters.applied();
    }

    /** Changes applied per source table (for metrics). */
    TableCounts tableCounts() {
        return tableCounts;
    }

    /** Batches committed, their rows and time so far (for metrics). */
    ApplyStats stats() {
        return counters.stats();
    }

    /**
     * Applies and commits what is queued, then stops the applier and the durability checks and closes the sink.
     * Committed batches not yet acknowledged are recognised by the next run from the destination's position.
     */
    void close() {
        try {
            queue.put(STOP);
            applier.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            log.warn("the applier failed after the stream's last call: the transactions it had not committed are"
                    + " applied by the next run");
        }
        checker.shutdownNow();
        ApplyItem item;
        if (!applier.isAlive()) {
            while ((item = taken.poll()) != null) {
                finish(item);
            }
        }
        while ((item = queue.poll()) != null) {
            finish(item);
        }
        abandon();
    }
}
