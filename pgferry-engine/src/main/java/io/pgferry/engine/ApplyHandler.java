package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.Stage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the stream through a {@link ChangeSink}, grouping consecutive source transactions into one sink batch: the
 * batch is committed when it holds {@code maxRows} changes, when it has been open {@code maxDelay} while changes kept
 * coming, or as soon as the stream has nothing more waiting.
 *
 * <p><b>Acknowledgement.</b> A committed batch is acknowledged (its last transaction, which acknowledges every
 * earlier one) only once the sink says it is durable ({@link ChangeSink#durablePosition()}): at once after the commit
 * when it already is, else by a background check every {@link #DURABILITY_CHECK_MILLIS} ms. So the stream confirms to
 * the source nothing that is not durable at the destination, while the destination never waits for a flush between
 * batches.
 *
 * <p><b>Retries.</b> Runs on the stream's thread and applies while the stream waits, so a transaction's changes are
 * never used after {@link #onTransaction} returns. On a failure the open batch is rolled back and the sink closed;
 * the stream retries a retriable failure by delivering again every transaction not acknowledged. Those a lost sink
 * had committed are recognised by the position the next sink reads from the destination, and skipped.
 *
 * <p><b>Replay after a chunked copy.</b> A transaction whose commit record precedes the position from which apply is
 * exact (read from the destination with each new sink) is applied by the sink's idempotent rules, every later one
 * exactly.
 */
final class ApplyHandler implements TransactionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApplyHandler.class);
    static final long DURABILITY_CHECK_MILLIS = 10;

    private final Supplier<ChangeSink> sinks;
    private final Supplier<Lsn> exactFrom;
    private final Stage stage;
    private final int maxRows;
    private final long maxDelayNanos;
    private final Runnable onCaughtUp;
    private final Runnable onReplayed;
    private final SchemaWatch schema;
    /** Committed, not yet acknowledged, in commit order; guarded by itself. */
    private final ArrayDeque<Transaction> committed = new ArrayDeque<>();

    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgferry-durability");
        t.setDaemon(true);
        return t;
    });
    private volatile ChangeSink sink;
    /** Transactions ending at or before this are already committed at the destination. */
    private Lsn skipThrough = Lsn.INVALID;
    /** Transactions committed before this are replayed idempotently; INVALID when none are. */
    private Lsn replayBefore = Lsn.INVALID;
    /** What the open sink was last told: it starts exact. */
    private boolean idempotent;

    private Transaction last;
    private long rows;
    private long openedAt;
    private volatile long applied;

    /**
     * @param sinks opens a sink (again after a failure)
     * @param exactFrom the position from which changes apply exactly, read when a sink is opened; INVALID for all
     * @param onCaughtUp called on the stream thread after each commit made because the stream had nothing waiting
     * @param onReplayed called on the stream thread once the idempotent replay is committed, before the first change
     *     applied exactly
     */
    ApplyHandler(
            Supplier<ChangeSink> sinks,
            Supplier<Lsn> exactFrom,
            Stage stage,
            SchemaWatch schema,
            int maxRows,
            Duration maxDelay,
            Runnable onCaughtUp,
            Runnable onReplayed) {
        this.sinks = sinks;
        this.exactFrom = exactFrom;
        this.schema = schema;
        this.stage = stage;
        this.maxRows = maxRows;
        this.maxDelayNanos = maxDelay.toNanos();
        this.onCaughtUp = onCaughtUp;
        this.onReplayed = onReplayed;
        checker.scheduleWithFixedDelay(
                this::acknowledgeDurableQuietly,
                DURABILITY_CHECK_MILLIS,
                DURABILITY_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void onTransaction(Transaction tx) {
        try {
            if (sink == null) {
                ChangeSink s = sinks.get();
                skipThrough = s.position().orElse(Lsn.INVALID);
                replayBefore = exactFrom.get();
                sink = s;
            }
            if (tx.endLsn().isValid() && !tx.endLsn().isAfter(skipThrough)) {
                // Committed by a sink lost before it was acknowledged; durable, as position() says.
                tx.ack();
                return;
            }
            if (last == null) {
                sink.begin();
                openedAt = System.nanoTime();
            }
            boolean replay = replayBefore.isValid() && tx.commitLsn().isBefore(replayBefore);
            if (replay != idempotent) {
                if (!replay) {
                    // The replay is over: what it could have violated is built on the target as it now is.
                    commit();
                    log.info(
                            "replayed the changes made during the chunked copy; applying exactly from {}",
                            tx.commitLsn());
                    onReplayed.run();
                    sink.begin();
                    openedAt = System.nanoTime();
                }
                sink.idempotent(replay);
                idempotent = replay;
            }
            for (ChangeEvent change : tx) {
                schema.check(change, sink);
                ChangeEvent c = stage.process(change);
                if (c != null) {
                    sink.apply(c);
                    rows++;
                }
            }
            last = tx;
            if (rows >= maxRows || System.nanoTime() - openedAt >= maxDelayNanos) {
                commit();
            }
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
    }

    @Override
    public void onIdle() {
        try {
            commit();
            acknowledgeDurable();
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
        onCaughtUp.run();
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
        applied += rows;
        rows = 0;
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
        return applied;
    }

    /**
     * Stops the durability checks and closes the sink; committed batches not yet acknowledged are recognised as
     * applied by the next run, from the position at the destination.
     */
    void close() {
        checker.shutdownNow();
        abandon();
    }
}
