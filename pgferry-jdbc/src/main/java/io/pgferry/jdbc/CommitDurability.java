package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Knows which asynchronous commits of a {@link JdbcSink} are durable. After each commit it reads the destination's
 * WAL insert position (which is past the commit record, as the commit returned before the read); the commit is
 * durable once the WAL flush position reaches it. Reads go through a connection of its own, so that any thread may
 * ask while the sink's connection is busy. Thread-safe.
 */
final class CommitDurability implements AutoCloseable {
    private final Dialect dialect;
    private final Supplier<Connection> connect;
    /** Committed batches not yet known durable: {endLsn, WAL insert position after the commit}, in commit order. */
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();

    private Connection connection;
    private Lsn durable = Lsn.INVALID;

    CommitDurability(Dialect dialect, Supplier<Connection> connect) {
        this.dialect = dialect;
        this.connect = connect;
    }

    /** Records a batch committed up to {@code endLsn}; durable at once for a dialect without asynchronous commit. */
    synchronized void committed(Lsn endLsn) throws SQLException {
        long[] wal = dialect.walPositions(probe());
        if (wal == null) {
            durable = endLsn;
        } else {
            pending.addLast(new long[] {endLsn.value(), wal[0]});
        }
    }

    /** Marks {@code lsn} durable: it was read after a synchronous write, which flushed everything before it. */
    synchronized void known(Lsn lsn) {
        if (lsn.isAfter(durable)) {
            durable = lsn;
        }
    }

    /** The end position of the last durable batch; asks the destination when some are pending. */
    synchronized Lsn durable() throws SQLException {
        if (!pending.isEmpty()) {
            long flushed = dialect.walPositions(probe())[1];
            while (!pending.isEmpty() && Long.compareUnsigned(pending.peekFirst()[1], flushed) <= 0) {
                durable = Lsn.of(pending.removeFirst()[0]);
            }
        }
        return durable;
    }

    /** The probe connection, opened on first use and again after a failure. */
    synchronized Connection probe() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connect.get();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    /** Drops the probe connection after a failure; the next call opens another. */
    synchronized void reset() {
        close();
    }

    @Override
    public synchronized void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // Abandoned either way.
        }
        connection = null;
    }
}
