package io.pgferry.cli;

import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The writes of a kill test, made while the process under test runs, is killed and restarts: one step (a statement
 * or a small transaction) at a time on a connection of its own, at most {@link #PER_SECOND} steps a second, until
 * stopped. The rate is bounded so that the load is the same on any machine: a writer going as fast as it can takes a
 * core from the process under test and, on a loaded machine, queues up a hundred thousand changes that the test's last
 * catch-up must then replay.
 */
public final class Load {
    /** One step, on the load's own statement (autocommit). */
    public interface Step {
        void run(Statement st) throws SQLException;
    }

    /** Steps a second: enough for every round of a kill test to see its process move on within a second or two. */
    private static final int PER_SECOND = 500;

    private static final long TICK_MILLIS = 10;

    private final Semaphore permits = new Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    private final Thread writer;

    private Load(TestDatabase db, Step step) {
        int perTick = Math.max(1, (int) (PER_SECOND * TICK_MILLIS / 1000));
        // A stalled writer does not save up permits to burst with later: at most a tenth of a second's worth wait.
        int most = Math.max(perTick, PER_SECOND / 10);
        ticks.scheduleAtFixedRate(
                () -> permits.release(Math.max(0, Math.min(perTick, most - permits.availablePermits()))),
                0,
                TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        writer = new Thread(() -> write(db, step), "load");
        writer.start();
    }

    /** Starts writing {@code step}s to {@code db}, at most {@link #PER_SECOND} a second. */
    public static Load start(TestDatabase db, Step step) {
        return new Load(db, step);
    }

    /**
     * The sync kill tests' changes to {@code accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)}, whose
     * rows have ids 1 to {@code accounts} at first, and to the keyless {@code events (kind text, n int)}: random small
     * transactions that insert, update, change a key, delete, and add or remove one of two equal rows.
     */
    public static Step accountsAndEvents(Random r, int accounts) {
        AtomicInteger next = new AtomicInteger(300_000);
        return st -> {
            int id = 1 + r.nextInt(accounts);
            switch (r.nextInt(6)) {
                case 0 -> st.execute("INSERT INTO accounts VALUES (" + next.getAndIncrement() + ", 1, 'new')");
                case 1 -> st.execute("UPDATE accounts SET balance = balance + 1 WHERE id = " + id);
                case 2 -> st.execute("UPDATE accounts SET id = " + next.getAndIncrement() + " WHERE id = " + id);
                case 3 -> st.execute("DELETE FROM accounts WHERE id = " + id);
                case 4 -> st.execute("INSERT INTO events VALUES ('dup', 1), ('dup', 1)");
                default -> st.execute(
                        "DELETE FROM events WHERE ctid = (SELECT ctid FROM events WHERE kind = 'dup' LIMIT 1)");
            }
        };
    }

    /**
     * Changes to two keyed tables, {@code accounts} as in {@link #accountsAndEvents} (ids 1 to {@code accounts} at
     * first) and {@code entries (id int PRIMARY KEY, n int NOT NULL)}, empty at first: inserts, updates and deletes,
     * no key change, so that a sync's groups hold both tables' runs whole and its second session writes one of them.
     */
    public static Step twoTables(Random r, int accounts) {
        AtomicInteger next = new AtomicInteger(300_000);
        AtomicInteger entries = new AtomicInteger(0);
        return st -> {
            int id = 1 + r.nextInt(accounts);
            switch (r.nextInt(5)) {
                case 0 -> st.execute("INSERT INTO accounts VALUES (" + next.getAndIncrement() + ", 1, 'new')");
                case 1 -> st.execute("UPDATE accounts SET balance = balance + 1 WHERE id = " + id);
                case 2 -> st.execute("DELETE FROM accounts WHERE id = " + id);
                case 3 -> st.execute("INSERT INTO entries VALUES (" + entries.incrementAndGet() + ", 1)");
                default -> st.execute(
                        "UPDATE entries SET n = n + 1 WHERE id = " + (1 + r.nextInt(Math.max(1, entries.get()))));
            }
        };
    }

    private void write(TestDatabase db, Step step) {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            while (running.get()) {
                if (permits.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    step.run(st);
                }
            }
        } catch (Throwable e) {
            error.set(e);
        }
    }

    /** Stops the writes, waiting for the step in progress; then {@link #error()} says whether any failed. */
    public void stop() throws InterruptedException {
        running.set(false);
        ticks.shutdownNow();
        writer.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** What stopped the writer before {@link #stop()}, or null. */
    public Throwable error() {
        return error.get();
    }
}
