package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.fail;

import io.pgferry.core.Lsn;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads server-side state the stream tests assert on (slots, publications, WAL position). The server cannot notify a
 * test when a slot's confirmed position moves, so {@link #await} polls, briefly parked between tries, until a
 * deadline.
 */
final class ServerProbe {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A condition on server state; may query. */
    interface Check {
        boolean holds() throws SQLException;
    }

    private ServerProbe() {}

    /** The slot's confirmed_flush_lsn, INVALID when it has none; fails if the slot does not exist. */
    static Lsn confirmedFlush(TestDatabase db, String slot) throws SQLException {
        String v = db.queryString("SELECT coalesce(confirmed_flush_lsn::text, '0/0') FROM pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'");
        return Lsn.parse(v);
    }

    /** The WAL insert position: past everything written so far, flushed or not (commits may be asynchronous). */
    /** The cluster's system identifier, as IDENTIFY_SYSTEM reports it (part of a checkpoint's fingerprint). */
    static String systemIdentifier(TestDatabase db) throws SQLException {
        return db.queryString("SELECT system_identifier::text FROM pg_control_system()");
    }

    static Lsn currentWal(TestDatabase db) throws SQLException {
        return Lsn.parse(db.queryString("SELECT pg_current_wal_insert_lsn()::text"));
    }

    /** Replication slots of the test's database. */
    static long slots(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()");
    }

    static long publications(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM pg_publication");
    }

    /** Waits until {@code check} holds, or fails naming {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, Check check) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
