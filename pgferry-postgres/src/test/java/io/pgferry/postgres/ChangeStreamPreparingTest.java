package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.PreparingHandler;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link PreparingHandler} on a real server: the changes of a transaction the server streams while it is in
 * progress reach {@code prepare} before the commit, and the delivered transaction carries the bytes of exactly the
 * changes an ordinary handler is given (rolled-back savepoint left out), in the same order.
 *
 * <p>The walsender's logical_decoding_work_mem is lowered to its minimum through the DSN's {@code options}, as in
 * {@link ChangeStreamStreamingTest}, so a few thousand rows make the server stream.
 */
@PgTest
@Tag("stream")
class ChangeStreamPreparingTest {
    private static final String SMALL_DECODING_MEMORY = "&options=-c%20logical_decoding_work_mem%3D64kB";

    @TempDir
    Path spill;

    /** One delivered transaction as lines. */
    record Tx(Transaction.Kind kind, long xid, Lsn commitLsn, List<String> lines) {}

    /** A change as one line of text, made at delivery by {@link Lines} and on arrival by {@link PreparedLines}. */
    static String line(ChangeEvent e) {
        Collector.Change c = Collector.toChange(e);
        return c.op() + " " + c.table() + " " + c.before() + " " + c.after() + " @" + e.lsn();
    }

    /** Keeps each delivered transaction as lines and acknowledges it; the test waits on it with a deadline. */
    static class Lines implements TransactionHandler {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<Tx> transactions = new ArrayList<>();

        @Override
        public void onTransaction(Transaction tx) {
            List<String> lines = new ArrayList<>();
            if (tx.hasPreparedChanges()) {
                for (Iterator<byte[]> it = tx.preparedChanges(); it.hasNext(); ) {
                    lines.add(new String(it.next(), StandardCharsets.UTF_8));
                }
            } else {
                for (ChangeEvent e : tx) {
                    lines.add(line(e));
                }
            }
            lock.lock();
            try {
                // PostgreSQL 14 also sends transactions that changed no published table; they are of no interest.
                if (!lines.isEmpty()) {
                    transactions.add(new Tx(tx.kind(), tx.xid(), tx.commitLsn(), lines));
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            tx.ack();
        }

        List<Tx> awaitTransactions(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            lock.lock();
            try {
                while (transactions.size() < n) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        fail("got " + transactions.size() + " transactions, not " + n);
                    }
                    changed.awaitNanos(left);
                }
                return List.copyOf(transactions);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Makes each change's line when the change arrives. */
    static final class PreparedLines extends Lines implements PreparingHandler {
        final AtomicLong prepared = new AtomicLong();

        @Override
        public byte[] prepare(ChangeEvent change) {
            prepared.incrementAndGet();
            return line(change).getBytes(StandardCharsets.UTF_8);
        }
    }

    private StreamConfig config(TestDatabase db, String slot) {
        return StreamConfig.builder()
                .source(db.uri() + SMALL_DECODING_MEMORY)
                .publication("p")
                .slot(slot)
                .tables("public.t", "public.u")
                .spillDirectory(spill)
                .memoryLimitBytes(1L << 20)
                .build();
    }

    /**
     * Starts the stream and waits until it delivered a first small transaction on {@code t}: its slot then exists,
     * and the walsender has sent a change of {@code t} (see ChangeStreamStreamingTest#start).
     */
    private static void start(ChangeStream stream, Lines handler, TestDatabase db, int id) throws Exception {
        stream.start();
        db.execute("INSERT INTO t VALUES (" + id + ", 'warm-up', '')");
        handler.awaitTransactions(1);
    }

    private static String rows(int from, int to, String tag) {
        return "INSERT INTO t SELECT i, '" + tag + "', repeat('x', 100) FROM generate_series(" + from + ", " + to
                + ") i";
    }

    @Test
    void streamedTransactionIsPreparedBeforeItsCommitAndDeliversWhatAnOrdinaryHandlerGets(TestDatabase db)
            throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, tag text, pad text)",
                "CREATE TABLE u (id int PRIMARY KEY)",
                "INSERT INTO u VALUES (1), (2)");
        Lines plain = new Lines();
        PreparedLines preparing = new PreparedLines();
        try (ChangeStream plainStream = ChangeStream.create(config(db, "plain"), plain);
                ChangeStream preparingStream = ChangeStream.create(config(db, "preparing"), preparing)) {
            start(plainStream, plain, db, -1);
            start(preparingStream, preparing, db, -2);
            plain.awaitTransactions(2);
            try (Connection conn = db.connect();
                    Statement st = conn.createStatement()) {
                conn.setAutoCommit(false);
                st.execute(rows(1, 5000, "a"));
                st.execute("SAVEPOINT s");
                st.execute(rows(5001, 10000, "b"));
                st.execute("ROLLBACK TO SAVEPOINT s");
                st.execute("UPDATE t SET tag = 'updated' WHERE id BETWEEN 1 AND 10");
                st.execute("DELETE FROM t WHERE id > 4990");
                st.execute("SELECT pg_logical_emit_message(true, 'pfx', 'in the transaction')");
                st.execute("TRUNCATE u");
                st.execute(rows(10001, 15000, "c"));
                long before = preparing.prepared.get();
                ServerProbe.await(
                        "changes of the open transaction are prepared",
                        Duration.ofSeconds(30),
                        () -> preparing.prepared.get() >= before + 1000);
                conn.commit();
            }
            Tx plainTx = plain.awaitTransactions(3).get(2);
            List<Tx> got = preparing.awaitTransactions(2);
            assertThat(plainTx.kind()).isEqualTo(Transaction.Kind.STREAMED);
            assertThat(plainTx.lines()).hasSize(5000 + 10 + 10 + 1 + 1 + 5000);
            assertThat(got.get(1)).isEqualTo(plainTx);
            assertThat(got.get(0).lines()).singleElement().asString().contains("warm-up");
            assertThat(preparing.prepared.get()).isGreaterThan(plainTx.lines().size());
            assertThat(preparingStream.stats().spillFiles()).isPositive();
        }
        try (var files = java.nio.file.Files.list(spill)) {
            assertThat(files).as("spill files are deleted once delivered").isEmpty();
        }
    }
}
