package io.pgferry.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says whom the source waits for while it creates a logical slot. A new slot becomes consistent only once every
 * transaction that held a transaction ID when its creation began has ended, in any database of the server, prepared
 * transactions included (the snapshot builder's states, {@code src/backend/replication/logical/snapbuild.c}). A
 * session left idle in a transaction, or a forgotten prepared transaction, so holds the creation, and the tool with it,
 * without a word from the server. From {@link #FIRST_REPORT} on, and every {@link #EVERY} after, this logs the oldest
 * such transactions: process, database, user, application, state and age, and each prepared transaction's name;
 * never a query's text, which may hold row values.
 *
 * <p>Threading: it runs on a thread of its own, on a plain session of the source that the caller does not use until
 * {@link #during} returns. A failed look-up is logged at DEBUG and tried again: the report is advice, never a cause of
 * failure.
 */
final class SlotCreationWatch {
    private static final Logger log = LoggerFactory.getLogger(SlotCreationWatch.class);

    /** How long a creation runs before the first report: most take milliseconds. */
    static final Duration FIRST_REPORT = Duration.ofSeconds(5);

    static final Duration EVERY = Duration.ofSeconds(30);

    /** At most this many transactions are named in a report (the oldest). */
    private static final int NAMED = 5;

    private static final String RUNNING = "SELECT a.pid, a.datname, a.usename, a.application_name, a.state,"
            + " floor(extract(epoch FROM pg_catalog.clock_timestamp() - a.xact_start))::bigint"
            + " FROM pg_catalog.pg_stat_activity a WHERE a.backend_xid IS NOT NULL"
            + " AND a.pid <> pg_catalog.pg_backend_pid() AND a.xact_start < ? ORDER BY a.xact_start LIMIT " + NAMED;

    private static final String PREPARED = "SELECT gid, database, owner,"
            + " floor(extract(epoch FROM pg_catalog.clock_timestamp() - prepared))::bigint"
            + " FROM pg_catalog.pg_prepared_xacts WHERE prepared < ? ORDER BY prepared LIMIT " + NAMED;

    private final Connection sql;
    private final String slot;
    private final java.sql.Timestamp began;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;

    private SlotCreationWatch(Connection sql, String slot, java.sql.Timestamp began) {
        this.sql = sql;
        this.slot = slot;
        this.began = began;
        this.thread = new Thread(this::watch, "pgferry-slot-watch");
        thread.setDaemon(true);
    }

    /** The creation of a slot. */
    @FunctionalInterface
    interface Creation {
        ReplicationSession.CreatedSlot create() throws SQLException;
    }

    /** Runs {@code creation} of {@code slot}, watched with {@code sql}, which nothing else uses meanwhile. */
    static ReplicationSession.CreatedSlot during(Connection sql, String slot, Creation creation) throws SQLException {
        SlotCreationWatch watch = start(sql, slot);
        try {
            return creation.create();
        } finally {
            watch.close();
        }
    }

    private static SlotCreationWatch start(Connection sql, String slot) throws SQLException {
        java.sql.Timestamp now;
        try (Statement st = sql.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.clock_timestamp()")) {
            rs.next();
            now = rs.getTimestamp(1);
        }
        SlotCreationWatch w = new SlotCreationWatch(sql, slot, now);
        w.thread.start();
        return w;
    }

    private void watch() {
        Duration wait = FIRST_REPORT;
        long startedNanos = System.nanoTime();
        try {
            while (!done.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                report(Duration.ofNanos(System.nanoTime() - startedNanos));
                wait = EVERY;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(Duration waited) {
        List<String> holders = new ArrayList<>();
        try {
            try (PreparedStatement ps = sql.prepareStatement(RUNNING)) {
                ps.setTimestamp(1, began);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        holders.add("pid " + rs.getInt(1) + " (database " + rs.getString(2) + ", user "
                                + rs.getString(3) + ", application '" + rs.getString(4) + "', " + rs.getString(5)
                                + ", in its transaction for " + rs.getLong(6) + " s)");
                    }
                }
            }
            try (PreparedStatement ps = sql.prepareStatement(PREPARED)) {
                ps.setTimestamp(1, began);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        holders.add("prepared transaction '" + rs.getString(1) + "' (database " + rs.getString(2)
                                + ", owner " + rs.getString(3) + ", prepared " + rs.getLong(4) + " s ago)");
                    }
                }
            }
        } catch (SQLException e) {
            log.debug("could not list the source's open transactions (SQLSTATE {})", e.getSQLState());
            return;
        }
        if (holders.isEmpty()) {
            log.info("creating slot {} for {} s so far", slot, waited.toSeconds());
            return;
        }
        log.warn(
                "creating slot {} has waited {} s for transactions that were open at the source when it began,"
                        + " which the server lets end first: {}; end them (COMMIT or ROLLBACK in that session, COMMIT PREPARED or ROLLBACK"
                        + " PREPARED for a prepared one, or SELECT pg_terminate_backend(pid)), or let them finish",
                slot,
                waited.toSeconds(),
                String.join(", ", holders));
    }

    /** Stops watching and returns once the watch is off {@code sql}. */
    private void close() {
        done.countDown();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
