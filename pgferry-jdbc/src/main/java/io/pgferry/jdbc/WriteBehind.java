package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link JdbcSink}'s committed batches on a thread of its own, one at a time, while the sink's thread gathers
 * the next batch (see {@link io.pgferry.core.sink.ChangeSink}, "Written behind"): a batch's statements keep the
 * destination busy while the changes of the next are decoded and merged, where the two alternated before (issue 5).
 *
 * <p>Invariant: the sink's connection is used by one thread at a time. The sink's thread hands a batch over with
 * {@link #submit} and awaits it ({@link #await}) before it uses the connection itself; at most one batch is being
 * written. Handing over and awaiting order the two threads' uses of the connection and of what the batch holds.
 * Called by the sink's thread only.
 */
final class WriteBehind implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);

    private final ExecutorService thread;

    WriteBehind() {
        this("pgferry-write-behind");
    }

    /** @param name the thread's name */
    WriteBehind(String name) {
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The batch being written; null when none is. */
    private CompletableFuture<Void> writing;

    /**
     * Writes {@code batch} behind, once the batch before it is written; throws that batch's failure instead.
     *
     * @param batch writes and commits a batch; throws a {@link PgFerryException} that says what failed
     */
    void submit(Runnable batch) {
        await();
        writing = CompletableFuture.runAsync(batch, thread);
    }

    /** Returns once the batch being written, if any, is; throws its failure, once. */
    void await() {
        CompletableFuture<Void> w = writing;
        if (w == null) {
            return;
        }
        writing = null;
        try {
            w.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw PgFerryException.fatal("a batch written behind failed: " + e.getCause(), "see the cause", e);
        }
    }

    /** Like {@link #await}, for a caller abandoning the sink: a failure is logged, not thrown. */
    void awaitQuietly() {
        try {
            await();
        } catch (RuntimeException e) {
            // Not durable, so not acknowledged: the source delivers the batch's transactions again.
            log.debug("a batch written behind failed: {}", e.getMessage());
        }
    }

    /** Awaits the batch being written, quietly, and ends the thread. */
    @Override
    public void close() {
        awaitQuietly();
        thread.shutdown();
    }
}
