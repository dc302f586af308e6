package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A handler may keep a transaction past {@code onTransaction} only by retaining it, and then reads exactly its
 * changes on any thread until it releases it. Guards issue #5, where a handler iterating a transaction on another
 * thread saw it empty, or saw memory the stream had already reused for a later transaction.
 */
@PgTest
@Tag("stream")
class ChangeStreamRetainTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TRANSACTIONS = 12;
    private static final int ROWS = 2_000;

    private static StreamConfig.Builder config(TestDatabase db) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t");
    }

    /**
     * Transactions of 2,000 rows (about 0.3 MB each), a 2 MB memory limit, and a worker that reads each retained
     * transaction well after the stream has moved on: buffers are freed, reused and spilled meanwhile, and every row
     * still arrives exactly as written.
     */
    @Test
    void retainedTransactionsReadOnAnotherThreadHoldExactlyTheirChanges(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        BlockingQueue<Transaction> handed = new LinkedBlockingQueue<>();
        List<Collector.Change> read = new ArrayList<>();
        AtomicReference<Throwable> workerError = new AtomicReference<>();
        CountDownLatch allRead = new CountDownLatch(1);
        Thread worker = new Thread(
                () -> {
                    try {
                        int rows = 0;
                        while (rows < TRANSACTIONS * ROWS) {
                            Transaction tx = handed.take();
                            for (ChangeEvent change : tx) {
                                read.add(Collector.toChange(change));
                                rows++;
                            }
                            tx.release();
                            tx.ack();
                        }
                        allRead.countDown();
                    } catch (Throwable e) {
                        workerError.set(e);
                    }
                },
                "worker");
        TransactionHandler retaining = tx -> handed.add(tx.retain());
        try (ChangeStream stream =
                ChangeStream.create(config(db).memoryLimitBytes(2L << 20).build(), retaining)) {
            stream.start();
            for (int i = 0; i < TRANSACTIONS; i++) {
                int from = i * ROWS;
                db.execute("INSERT INTO t SELECT g, md5(g::text) || repeat('-', 100) || g FROM generate_series("
                        + (from + 1) + ", " + (from + ROWS) + ") g");
            }
            worker.start();
            assertThat(allRead.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the worker read every row; error: %s", workerError.get())
                    .isTrue();
            assertThat(stream.lastError()).isNull();
        } finally {
            worker.interrupt();
            worker.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(workerError.get()).isNull();
        List<String> expected = IntStream.rangeClosed(1, TRANSACTIONS * ROWS)
                .mapToObj(g -> g + "|" + md5(g) + "-".repeat(100) + g)
                .toList();
        assertThat(read)
                .extracting(c -> c.after().get(0) + "|" + c.after().get(1))
                .containsExactlyElementsOf(expected);
    }

    /**
     * With a memory limit of 0 no retained transaction may be outstanding when the next is delivered: the stream
     * waits for the release instead of piling transactions up.
     */
    @Test
    void theStreamWaitsForReleasesOnceRetainedTransactionsReachTheLimit(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        BlockingQueue<Transaction> handed = new LinkedBlockingQueue<>();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        TransactionHandler retaining = tx -> {
            if (outstanding.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            handed.add(tx.retain());
        };
        try (ChangeStream stream =
                ChangeStream.create(config(db).memoryLimitBytes(0).build(), retaining)) {
            stream.start();
            db.execute(
                    "INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (2, 'b')", "INSERT INTO t VALUES (3, 'c')");
            Transaction first = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            awaitStreamWaitingForRelease();
            assertThat(handed)
                    .as("nothing more delivered while the first is held")
                    .isEmpty();

            List<String> ids = new ArrayList<>();
            Transaction tx = first;
            for (int i = 0; i < 3; i++) {
                for (ChangeEvent change : tx) {
                    ids.add(Collector.toChange(change).after().get(0));
                }
                outstanding.decrementAndGet();
                tx.release();
                tx.ack();
                if (i < 2) {
                    tx = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(tx)
                            .as("delivered once the previous one was released")
                            .isNotNull();
                }
            }
            assertThat(ids).containsExactly("1", "2", "3");
            assertThat(overlaps.get()).isZero();
            assertThat(stream.lastError()).isNull();
        }
    }

    @Test
    void readingAfterReleaseThrows(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        BlockingQueue<Transaction> handed = new LinkedBlockingQueue<>();
        try (ChangeStream stream = ChangeStream.create(config(db).build(), tx -> handed.add(tx.retain()))) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')", "INSERT INTO t VALUES (3, 'c')");
            Transaction tx = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(tx).isNotNull();
            Iterator<ChangeEvent> it = tx.iterator();
            ChangeEvent first = it.next();
            tx.release();
            assertThatThrownBy(it::hasNext)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("released");
            assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
            // What was read before the release stays valid: each event holds its own bytes.
            assertThat(Collector.toChange(first).after()).containsExactly("1", "a");
            tx.release(); // again: nothing happens
            tx.ack();

            Transaction second = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            second.release();
            assertThatThrownBy(second::iterator)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("released");
            second.ack();
            assertThat(stream.lastError()).isNull();
        }
    }

    @Test
    void readingATransactionNotRetainedAfterOnTransactionReturnedThrows(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        BlockingQueue<Transaction> kept = new LinkedBlockingQueue<>();
        BlockingQueue<Iterator<ChangeEvent>> iterators = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(1);
        TransactionHandler keepsWithoutRetaining = tx -> {
            // The first is kept whole, the second with an iterator begun inside onTransaction. The third only
            // marks that the second's onTransaction has returned: calls are made one at a time, in order.
            int call = calls.getAndIncrement();
            if (call == 0) {
                kept.add(tx);
            } else if (call == 1) {
                Iterator<ChangeEvent> it = tx.iterator();
                it.next();
                iterators.add(it);
            } else {
                third.countDown();
            }
            tx.ack();
        };
        try (ChangeStream stream = ChangeStream.create(config(db).build(), keepsWithoutRetaining)) {
            stream.start();
            db.execute(
                    "INSERT INTO t VALUES (1, 'a')",
                    "INSERT INTO t VALUES (2, 'b'), (3, 'c')",
                    "INSERT INTO t VALUES (4, 'd')");
            Transaction tx = kept.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(tx).isNotNull();
            Iterator<ChangeEvent> begun = iterators.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(begun).isNotNull();
            // Regression (issue #5): asserting before the second onTransaction returned raced with it under load.
            assertThat(third.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(tx::iterator)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ended when onTransaction returned")
                    .hasMessageContaining("retain()");
            assertThatThrownBy(tx::retain)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before onTransaction returns");
            assertThatThrownBy(begun::hasNext).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(tx::release).isInstanceOf(IllegalStateException.class);
            assertThat(stream.lastError()).isNull();
        }
    }

    /**
     * Rows of the initial snapshot come straight from the server as they are read: a retained snapshot table is read
     * on another thread while the stream waits for its release.
     */
    @Test
    void aRetainedSnapshotTableIsReadOnAnotherThreadWhileTheStreamWaits(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 5000) g");
        BlockingQueue<Transaction> handed = new LinkedBlockingQueue<>();
        Collector after = new Collector();
        TransactionHandler handler = tx -> {
            if (tx.kind() == Transaction.Kind.SNAPSHOT) {
                handed.add(tx.retain());
            } else {
                after.onTransaction(tx);
            }
        };
        try (ChangeStream stream = ChangeStream.create(config(db).snapshot(true).build(), handler)) {
            stream.start();
            Transaction table = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(table).isNotNull();
            List<String> rows = new ArrayList<>();
            Thread reader = new Thread(
                    () -> {
                        for (ChangeEvent change : table) {
                            Collector.Change c = Collector.toChange(change);
                            rows.add(c.after().get(0) + "=" + c.after().get(1));
                        }
                        table.release();
                        table.ack();
                    },
                    "reader");
            reader.start();
            reader.join(WAIT.toMillis());
            assertThat(rows)
                    .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 5000)
                            .mapToObj(g -> g + "=v" + g)
                            .toList());
            db.execute("INSERT INTO t VALUES (5001, 'after')");
            assertThat(after.awaitChanges(1)).extracting(c -> c.after().get(0)).containsExactly("5001");
            assertThat(stream.lastError()).isNull();
        }
    }

    @Test
    void aStopWhileTheHandlerHoldsASnapshotTableEndsItAndFailsTheIncompleteSnapshot(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        BlockingQueue<Transaction> handed = new LinkedBlockingQueue<>();
        ChangeStream stream = ChangeStream.create(config(db).snapshot(true).build(), tx -> handed.add(tx.retain()));
        stream.start();
        Transaction table = handed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(table).isNotNull();
        stream.stop();
        assertThat(stream.awaitTermination(WAIT)).isTrue();
        assertThat(stream.lastError())
                .hasMessageStartingWith("stopped during the initial snapshot while the handler held the rows of"
                        + " public.t: the snapshot is incomplete");
        assertThatThrownBy(table::iterator).isInstanceOf(IllegalStateException.class);
        table.release(); // after the stream ended it: nothing happens
    }

    private static String md5(int g) {
        try {
            byte[] d =
                    MessageDigest.getInstance("MD5").digest(Integer.toString(g).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the stream thread is parked waiting for a release (its stack holds the budget's wait). */
    private static void awaitStreamWaitingForRelease() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (var e : Thread.getAllStackTraces().entrySet()) {
                if (e.getKey().getName().equals("pgferry-stream-s")) {
                    for (StackTraceElement frame : e.getValue()) {
                        if (frame.getMethodName().equals("awaitRetainedBelowLimit")) {
                            return;
                        }
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                fail("the stream thread never waited for a release");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling interval of the wait
        }
    }
}
