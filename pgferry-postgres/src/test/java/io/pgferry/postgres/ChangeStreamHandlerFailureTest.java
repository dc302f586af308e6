package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A handler's failures take their own path, not the lost-connection one. Guards issue #5, where a retriable
 * exception from the handler was logged as "connection lost" (with the reconnect backoff of a connection) and nothing
 * told a reader of the log that the handler had failed.
 */
@PgTest
@Tag("stream")
class ChangeStreamHandlerFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t");
    }

    /** Passes transactions to a Collector, but first throws {@code failure} for the one inserting id 2, once. */
    private static final class FailsOnce implements TransactionHandler {
        final Collector delivered = new Collector();
        final AtomicInteger failures = new AtomicInteger();
        private final RuntimeException failure;

        FailsOnce(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public void onTransaction(Transaction tx) {
            Collector.Tx seen = copy(tx);
            boolean two = seen.changes().stream().anyMatch(c -> c.after().get(0).equals("2"));
            if (two && failures.getAndIncrement() == 0) {
                throw failure;
            }
            delivered.onTransaction(new Transaction(
                    tx.xid(),
                    tx.commitLsn(),
                    tx.endLsn(),
                    tx.commitTime(),
                    tx.origin(),
                    tx.kind(),
                    seen.changes().stream().map(Collector.Change::event).iterator(),
                    lsn -> tx.ack()));
        }

        private static Collector.Tx copy(Transaction tx) {
            Collector c = new Collector(false);
            c.onTransaction(tx);
            List<Collector.Tx> txs = c.transactions();
            return txs.isEmpty() ? new Collector.Tx(0, null, null, null, tx.kind(), null, List.of()) : txs.get(0);
        }
    }

    @Test
    void retriableHandlerFailureIsRetriedFromTheLastAcknowledgedTransaction(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        // The cause quotes a row, as a sink's error would: only the PgFerryException's own message may be logged.
        FailsOnce handler = new FailsOnce(PgFerryException.retriable(
                "destination briefly unavailable",
                "wait",
                new IllegalStateException("rejected " + LogSafetyTest.SECRET_ROW)));
        try (LogCapture logs = new LogCapture();
                ChangeStream stream = ChangeStream.create(config(db).build(), handler)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            handler.delivered.awaitChanges(1);
            db.execute("INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
            handler.delivered.awaitChanges(3);

            assertThat(handler.failures.get())
                    .as("the transaction inserting 2 was delivered twice")
                    .isEqualTo(2);
            assertThat(handler.delivered.changes())
                    .as("each row once, in commit order: the acknowledged one is not delivered again")
                    .extracting(c -> c.after().get(0))
                    .containsExactly("1", "2", "3");
            assertThat(stream.lastError()).isNull();
            assertThat(stream.state()).isEqualTo(ChangeStream.State.STREAMING);

            List<String> warnings = logs.events().stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(StreamLoop.class.getName()))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(warnings).singleElement().satisfies(m -> assertThat(m)
                    .startsWith("the handler failed (destination briefly unavailable; fix: wait);"
                            + " delivering again from the last acknowledged transaction in ")
                    .doesNotContain("connection lost"));
            logs.assertSlf4jNeverContains(LogSafetyTest.SECRET_ROW);
        }
    }

    @Test
    void fatalHandlerFailureStopsTheStream(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        PgFerryException fatal = PgFerryException.fatal("destination schema does not match", "migrate it");
        FailsOnce handler = new FailsOnce(fatal);
        try (LogCapture logs = new LogCapture();
                ChangeStream stream = ChangeStream.create(config(db).build(), handler)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
            assertThat(stream.awaitTermination(WAIT)).as("the stream stops").isTrue();

            assertThat(stream.lastError()).isSameAs(fatal);
            assertThat(handler.failures.get()).as("not retried").isEqualTo(1);
            assertThat(handler.delivered.changes())
                    .extracting(c -> c.after().get(0))
                    .containsExactly("1");
            assertThat(stream.stats().reconnects()).isZero();
            assertThat(logs.events())
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("stream stopped: the handler failed: destination schema does not match; fix:"
                            + " migrate it");
        }
    }

    @Test
    void aHandlerThatKeepsFailingIsGivenUpOnAfterTheRetryTime(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        TransactionHandler alwaysFails = tx -> {
            throw PgFerryException.retriable("destination unavailable", "wait", null);
        };
        try (ChangeStream stream = ChangeStream.create(
                config(db).maxRetryTime(Duration.ofSeconds(1)).build(), alwaysFails)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            assertThat(stream.awaitTermination(WAIT)).as("the stream gives up").isTrue();
            assertThat(stream.lastError())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageStartingWith("gave up retrying the handler after 1 s: destination unavailable");
            assertThat(((PgFerryException) stream.lastError()).isRetriable()).isFalse();
            assertThat(stream.stats().reconnects()).isPositive();
        }
    }

    /**
     * Regression (issue 5): a handler that applies on a thread of its own reports a failure at its next call, which
     * may be the stream's last {@code onIdle} before a stop. The stream then ended with that retriable failure as its
     * error, so a sync stopped on purpose reported a failure (seen in ForeignChangesTest under load).
     */
    @Test
    void aRetriableFailureReportedAsTheStreamStopsIsNotAnError(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Collector delivered = new Collector(false);
        TransactionHandler reportsLater = new TransactionHandler() {
            @Override
            public void onTransaction(Transaction tx) {
                delivered.onTransaction(tx); // never acknowledged: its batch "failed"
            }

            @Override
            public void onIdle() {
                if (!delivered.transactions().isEmpty()) {
                    throw PgFerryException.retriable("the batch failed", "it is retried", null);
                }
            }
        };
        try (ChangeStream stream = ChangeStream.create(config(db).build(), reportsLater)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            delivered.awaitChanges(1);
            stream.stop();
            assertThat(stream.awaitTermination(WAIT)).isTrue();
            assertThat(stream.lastError()).isNull();
        }
    }
}
