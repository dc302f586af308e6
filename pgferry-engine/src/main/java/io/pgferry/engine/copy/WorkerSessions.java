package io.pgferry.engine.copy;

import io.pgferry.core.sink.ChangeSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy worker's source session and sink into another database, each opened when first needed and again after a
 * failure. Not thread-safe: one worker's.
 */
final class WorkerSessions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerSessions.class);

    /** Opens and prepares a source session. */
    @FunctionalInterface
    interface Source {
        Connection open() throws SQLException;
    }

    private final Source source;
    private final Supplier<ChangeSink> sinks;
    private Connection src;
    private ChangeSink sink;
    private final SnapshotRenewal renewal = new SnapshotRenewal();

    WorkerSessions(Source source, Supplier<ChangeSink> sinks) {
        this.source = source;
        this.sinks = sinks;
    }

    Connection source() throws SQLException {
        if (src == null) {
            src = source.open();
        }
        return src;
    }

    /**
     * Counts a range read on the source session, and every {@link SnapshotCopy#RANGES_PER_TRANSACTION} ranges renews
     * its transaction, which releases the locks of the relations read; if that fails, the source session is closed
     * and the next range opens it again (and reports a snapshot that is gone).
     */
    void rangeRead(SnapshotRenewal.Renew renew) {
        if (!renewal.rangeRead(src, renew)) {
            closeSource();
        }
    }

    ChangeSink sink() {
        if (sink == null) {
            sink = sinks.get();
        }
        return sink;
    }

    /**
     * Closes both: a source session whose COPY failed has lost its transaction, and a sink whose commit went
     * unanswered cannot tell what is in. A read-only transaction ends with the connection, not with a COMMIT: after a
     * read was cancelled the server may deliver the cancel late, to the next statement, which would then fail in its
     * place.
     */
    @Override
    public void close() {
        closeSource();
        if (sink != null) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                log.debug("closing a copy sink failed: {}", e.getClass().getSimpleName());
            }
            sink = null;
        }
    }

    private void closeSource() {
        renewal.reset();
        if (src != null) {
            try {
                src.close();
            } catch (SQLException e) {
                log.debug("closing a copy session failed (SQLSTATE {})", e.getSQLState());
            }
            src = null;
        }
    }
}
