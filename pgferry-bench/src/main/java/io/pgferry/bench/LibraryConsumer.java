package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.time.Duration;

/**
 * pgferry as a library, in this JVM: a {@link ChangeStream} whose handler iterates every change, counts the rows
 * and acknowledges each transaction. Timed from {@link ChangeStream#start()} to the end of the stream.
 */
final class LibraryConsumer implements StreamConsumer {
    private final Target target;
    private final Duration timeout;

    LibraryConsumer(Target target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "pgferry library";
    }

    @Override
    public Measurement run(String slot, Lsn end) throws IOException, InterruptedException {
        Result r = stream(target.dsn(), target.publication(), slot, end, timeout);
        return new Measurement(r.seconds(), r.rows());
    }

    /**
     * @param seconds wall time from start() to the end of the stream
     * @param rows inserts delivered
     * @param stats the stream's counters at the end
     */
    record Result(double seconds, long rows, StreamStats stats) {}

    /** Streams {@code slot} up to {@code end} with pgferry's defaults (64 MB off-heap, then spill files). */
    static Result stream(Dsn dsn, String publication, String slot, Lsn end, Duration timeout)
            throws IOException, InterruptedException {
        try (ScratchDirectory spill = ScratchDirectory.create("pgferry-bench-spill")) {
            StreamConfig config = StreamConfig.builder()
                    .source(dsn)
                    .publication(publication)
                    .slot(slot)
                    // Each run reads a fresh slot copy: nothing to resume.
                    .checkpointStore(CheckpointStore.inMemory())
                    .untilLsn(end)
                    .spillDirectory(spill.path())
                    .build();
            RowCounter counter = new RowCounter();
            long t0 = System.nanoTime();
            ChangeStream stream = ChangeStream.create(config, counter);
            try {
                stream.start();
                if (!stream.awaitTermination(timeout)) {
                    throw new IOException(
                            "the library stream did not finish within " + timeout.toMinutes() + " minutes");
                }
            } finally {
                stream.close();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Throwable error = stream.lastError();
            if (error != null) {
                throw new PgFerryException(
                        "the library stream failed: " + error.getMessage(), "see the cause", false, error);
            }
            // awaitTermination saw the stream thread finish, so its writes to the counter are visible here.
            return new Result(seconds, counter.rows, stream.stats());
        }
    }

    /** Iterates every change, counts the inserts, acknowledges the transaction. Runs on the stream's thread. */
    private static final class RowCounter implements TransactionHandler {
        long rows;

        @Override
        public void onTransaction(Transaction tx) {
            long n = 0;
            for (ChangeEvent change : tx) {
                if (change instanceof ChangeEvent.Insert) {
                    n++;
                }
            }
            rows += n;
            tx.ack();
        }
    }
}
