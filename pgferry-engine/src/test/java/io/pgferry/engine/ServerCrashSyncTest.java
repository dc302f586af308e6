package io.pgferry.engine;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A server crashing under a streaming sync (issue 5: "survives a crash at any instant"), each on a server of the
 * test's own: immediate shutdown, no checkpoint, crash recovery at the next start. The sync retries until the server
 * is back, and the target ends equal to the source, with no duplicate in a table without a key.
 *
 * <p>Not tagged "stream": what it tests is the target's side and the sync's own recovery, the same whatever the
 * source's major, so CI runs it on PostgreSQL 17 only.
 */
@PgTest
class ServerCrashSyncTest {
    private static final String[] SCHEMA = {
        "CREATE TABLE t (id int PRIMARY KEY, v int)",
        "CREATE TABLE log (n int)",
        "ALTER TABLE log REPLICA IDENTITY FULL",
        "INSERT INTO t SELECT i, 0 FROM generate_series(1, 1000) i"
    };

    private static final int TRANSACTIONS = 300;

    /**
     * The target crashes: the batches it had committed asynchronously but not flushed are lost with it. The sync had
     * confirmed none of them to the source, which sends them again.
     */
    @Test
    void theTargetServerCrashingWhileStreamingLosesAndRepeatsNothing(TestDatabase source) throws Exception {
        source.execute(SCHEMA);
        PostgresServer server = PostgresServer.startPrivate();
        try (TestDatabase target = TestDatabase.create(server)) {
            streamThroughACrash(source, target, server);
        } finally {
            server.embedded().close();
        }
    }

    /**
     * The source crashes: its slot starts again from the position last saved, which may be before what the target
     * holds; the sync skips what the target already has.
     */
    @Test
    void theSourceServerCrashingWhileStreamingLosesAndRepeatsNothing() throws Exception {
        PostgresServer server = PostgresServer.startPrivate();
        try (TestDatabase source = TestDatabase.create(server);
                TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            source.execute(SCHEMA);
            streamThroughACrash(source, target, server);
        } finally {
            server.embedded().close();
        }
    }

    /** Streams a workload from {@code source} to {@code target}, crashing {@code crashing} a third of the way in. */
    private static void streamThroughACrash(TestDatabase source, TestDatabase target, PostgresServer crashing)
            throws Exception {
        try (RunningSync running = RunningSync.start(new SyncEngine(SyncEngineTest.config(source, target)
                .maxRetryTime(Duration.ofMinutes(2))
                .build()))) {
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "t", "log");
            Databases.awaitStreaming(target, Duration.ofSeconds(60));
            AtomicInteger done = new AtomicInteger();
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    commit(source, i);
                    done.incrementAndGet();
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (done.get() < TRANSACTIONS / 3 && System.nanoTime() < deadline && !workload.isDone()) {
                Thread.sleep(5); // polling interval of the wait, not a synchronisation
            }
            crashing.embedded().crashAndRestart();
            workload.get(120, TimeUnit.SECONDS);
            Databases.awaitSame(source, target, Duration.ofSeconds(120), "t", "log");
            running.assertRunning();
        }
    }

    /** Transaction {@code i} of the workload, committed; retried while the source is down (its crash). */
    private static void commit(TestDatabase source, int i) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                source.execute("BEGIN; UPDATE t SET v = v + 1 WHERE id % 10 = " + (i % 10)
                        + "; INSERT INTO log VALUES (" + i + "); COMMIT");
                return;
            } catch (java.sql.SQLException e) {
                // Cut by the crash, it may or may not have committed: either way the target must end equal to the
                // source, so it is run again once the server is back.
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (System.nanoTime() > deadline || !state.startsWith("08") && !state.startsWith("57P")) {
                    throw new IllegalStateException("transaction " + i + " failed", e);
                }
                try {
                    Thread.sleep(50); // polling interval of the wait, not a synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }
}
