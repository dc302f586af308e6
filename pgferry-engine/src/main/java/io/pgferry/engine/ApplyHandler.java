package io.pgferry.engine;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.Stage;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Applies the stream through a {@link ChangeSink}, grouping consecutive source transactions into one sink batch: the
 * batch is committed when it holds {@code maxRows} changes, when it has been open {@code maxDelay} while changes kept
 * coming, or as soon as the stream has nothing more waiting. Only then is the last transaction of the batch
 * acknowledged (which acknowledges every earlier one), so the stream confirms to the source nothing that is not
 * durable at the destination.
 *
 * <p>Runs on the stream's thread, and applies while the stream waits, so a transaction's changes are never used
 * after {@link #onTransaction} returns. On a failure the open batch is rolled back and the sink closed; the exception
 * goes to the stream, which retries a retriable one from the last acknowledged transaction on a new sink.
 */
final class ApplyHandler implements TransactionHandler {
    private final Supplier<ChangeSink> sinks;
    private final Stage stage;
    private final int maxRows;
    private final long maxDelayNanos;
    private final Runnable onCaughtUp;
    private ChangeSink sink;
    private Transaction last;
    private long rows;
    private long openedAt;
    private volatile long applied;
    private volatile long batches;

    /**
     * @param sinks opens a sink (again after a failure)
     * @param onCaughtUp called on the stream thread after each commit made because the stream had nothing waiting
     */
    ApplyHandler(Supplier<ChangeSink> sinks, Stage stage, int maxRows, Duration maxDelay, Runnable onCaughtUp) {
        this.sinks = sinks;
        this.stage = stage;
        this.maxRows = maxRows;
        this.maxDelayNanos = maxDelay.toNanos();
        this.onCaughtUp = onCaughtUp;
    }

    @Override
    public void onTransaction(Transaction tx) {
        try {
            if (sink == null) {
                sink = sinks.get();
            }
            if (last == null) {
                sink.begin();
                openedAt = System.nanoTime();
            }
            for (ChangeEvent change : tx) {
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
        Transaction acked = last;
        last = null;
        applied += rows;
        batches++;
        rows = 0;
        acked.ack();
    }

    private void abandon() {
        last = null;
        rows = 0;
        if (sink != null) {
            sink.rollback();
            sink.close();
            sink = null;
        }
    }

    /** Changes applied and committed so far. */
    long applied() {
        return applied;
    }

    /** Batches committed so far. */
    long batches() {
        return batches;
    }

    /** Closes the sink, abandoning an open batch (its transactions are delivered again on the next start). */
    void close() {
        abandon();
    }
}
