package io.pgferry.engine.copy;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the ranges a copy worker's source session reads in its transaction, and renews that transaction every
 * {@link SnapshotCopy#RANGES_PER_TRANSACTION} ranges ({@link SnapshotCopy#renewSnapshot}), which releases the locks
 * of the relations read. Not thread-safe: one worker's.
 */
final class SnapshotRenewal {
    private static final Logger log = LoggerFactory.getLogger(SnapshotRenewal.class);

    /** Begins a new transaction on a source session, reading the same data. */
    @FunctionalInterface
    interface Renew {
        void renew(Connection src) throws SQLException;
    }

    private int rangesRead;

    /**
     * Counts a range read on {@code src} (nothing when there is no session) and renews its transaction when due.
     * Returns false if renewing failed: the caller closes the session, and the next range opens another (which reports
     * a snapshot that is gone).
     */
    boolean rangeRead(Connection src, Renew renew) {
        if (src == null || ++rangesRead < SnapshotCopy.RANGES_PER_TRANSACTION) {
            return true;
        }
        rangesRead = 0;
        try {
            renew.renew(src);
            return true;
        } catch (SQLException | RuntimeException e) {
            log.debug(
                    "renewing a copy's source transaction failed: {}",
                    e.getClass().getSimpleName());
            return false;
        }
    }

    /** Starts the count over, for a new session. */
    void reset() {
        rangesRead = 0;
    }
}
