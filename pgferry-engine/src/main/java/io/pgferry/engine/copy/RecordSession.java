package io.pgferry.engine.copy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A copy's session for its records at the target (the tables' states, the copy's end), shared by its workers. After
 * a failure that passes it is opened again and the record written again ({@link CopyRetry}): every record is an
 * update that may run twice, and one that spans statements runs in a transaction of its own. Thread-safe: records
 * are written one at a time.
 */
final class RecordSession implements AutoCloseable {
    /** A record's statements, on the session in autocommit. */
    @FunctionalInterface
    interface Work {
        void run(Connection c) throws SQLException;
    }

    private final Supplier<Connection> open;
    private final Work prepare;
    private final CopyRetry retry;
    private final BooleanSupplier stopped;
    private Connection connection;

    RecordSession(Supplier<Connection> open, CopyRetry retry, BooleanSupplier stopped) {
        this(open, c -> {}, retry, stopped);
    }

    /** A record session whose connections {@code prepare} readies when opened. */
    RecordSession(Supplier<Connection> open, Work prepare, CopyRetry retry, BooleanSupplier stopped) {
        this.open = open;
        this.prepare = prepare;
        this.retry = retry;
        this.stopped = stopped;
    }

    /** Writes a record; {@code what} names it for the log. */
    synchronized void write(String what, Work work) throws SQLException, InterruptedException {
        retry.run(what, stopped, again -> {
            try {
                if (connection == null) {
                    connection = open.get();
                    prepare.run(connection);
                }
                connection.setAutoCommit(true);
                work.run(connection);
                return null;
            } catch (SQLException | RuntimeException e) {
                close();
                throw e;
            }
        });
    }

    /**
     * Writes a record in one transaction, committed at the end of {@code work}; run again whole after a failure,
     * so a commit whose answer was lost is made again (the same updates).
     */
    synchronized void writeInTransaction(String what, Work work) throws SQLException, InterruptedException {
        write(what, c -> {
            c.setAutoCommit(false);
            work.run(c);
            c.commit();
            c.setAutoCommit(true);
        });
    }

    /**
     * Settings for a copy's record session at a PostgreSQL target: its commits do not wait for the WAL flush. A copy of
     * thousands of tables recorded each table's state with a commit that waited for the disk, two per table. Losing
     * the last of them in a crash loses nothing the copy needs: a snapshot copy starts over after a crash, and a
     * chunked one resumes from the marks its chunks commit with their rows. The copy's end, which the next start
     * relies on, is written after {@link #flushed}, and its flush takes every earlier commit with it.
     */
    static final Work WITHOUT_FLUSH_WAITS = c -> {
        try (Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = off");
        }
    };

    /** Makes the commit of {@code c}'s transaction wait for its flush: the copy's end record. */
    static void flushed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL synchronous_commit = on");
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Closing a session that failed: its own error is what the caller sees.
            }
            connection = null;
        }
    }
}
