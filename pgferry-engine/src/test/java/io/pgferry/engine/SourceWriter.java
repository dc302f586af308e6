package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** A thread that repeats a {@link Step} at the source until stopped: the writes a copy runs beside. */
final class SourceWriter implements AutoCloseable {
    /** Rows of the accounts table that {@link #accountsAndPairs} changes. */
    static final int ACCOUNTS = 30_000;

    /** One change at the writer's {@code i}th step. */
    @FunctionalInterface
    interface Step {
        void run(Statement st, int i) throws SQLException;

        /** Whether the writer makes another step; asked on the writer's thread before each. */
        default boolean more() {
            return true;
        }
    }

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;
    private volatile int steps;

    SourceWriter(TestDatabase source, Step step) {
        thread = new Thread(
                () -> {
                    try (Connection c = source.connect();
                            Statement st = c.createStatement()) {
                        for (int i = 0; writing.get() && step.more(); i++) {
                            step.run(st, i);
                            steps = i + 1;
                        }
                    } catch (Throwable e) {
                        error.set(e);
                    }
                },
                "writer");
        thread.start();
    }

    /** The steps made so far. */
    int steps() {
        return steps;
    }

    /** Stops the writer and asserts that it failed nowhere; stopping again does nothing more. */
    void stop() {
        writing.set(false);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the writer stopped", e);
        }
        assertThat(error.get()).as("writer").isNull();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * A random change of tables {@code accounts (id int PRIMARY KEY, balance bigint, note text)}, keys 1 to {@link
     * #ACCOUNTS}, and {@code pairs (a int, b, n int, PRIMARY KEY (a, b))}, key moves included; {@code next} is a key no
     * row has had.
     */
    static void accountsAndPairs(Statement st, Random r, int next) throws SQLException {
        int id = 1 + r.nextInt(ACCOUNTS);
        switch (r.nextInt(7)) {
            case 0 -> st.execute("INSERT INTO accounts VALUES (" + next + ", 1, 'new" + next + "')");
            case 1 -> st.execute("UPDATE accounts SET balance = balance + 1 WHERE id = " + id);
            case 2 -> st.execute("UPDATE accounts SET id = " + next + " WHERE id = " + id);
            case 3 -> st.execute("DELETE FROM accounts WHERE id = " + id);
            case 4 -> st.execute("UPDATE pairs SET n = n + 1 WHERE a = " + (id % 100));
            case 5 -> st.execute("UPDATE pairs SET a = a + 1000 WHERE a = " + (id % 100)
                    + " AND b = (SELECT b FROM pairs WHERE a = " + (id % 100) + " LIMIT 1)");
            default -> st.execute("BEGIN; DELETE FROM accounts WHERE id = " + id + "; INSERT INTO accounts"
                    + " VALUES (" + id + ", 2, 'again" + next + "'); COMMIT");
        }
    }
}
