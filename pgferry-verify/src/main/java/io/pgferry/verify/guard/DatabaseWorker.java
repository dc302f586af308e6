package io.pgferry.verify.guard;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker of one database: one connection, hash settings pinned, heartbeat in {@code syncguard.worker_state}.
 * Logs table names and counts, never row values.
 */
final class DatabaseWorker {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseWorker.class);

    private final Dsn dsn;
    private final String workerId;
    private final int jobs;
    private final AtomicLong recomputed = new AtomicLong();
    private final AtomicLong swept = new AtomicLong();
    private final Set<Integer> reported = new HashSet<>();
    private Connection connection;
    private List<GuardedTable> tables;
    private long tablesLoadedAt;
    private String tablesMarker;

    /** How long the registered tables are used before being read again: idle rounds then cost one query a table. */
    private static final long TABLES_TTL_NANOS = 2_000_000_000L;

    /** @param jobs connections a sweep may read with at once */
    DatabaseWorker(Dsn dsn, String workerId, int jobs) {
        this.dsn = dsn;
        this.workerId = workerId;
        this.jobs = jobs;
    }

    Dsn dsn() {
        return dsn;
    }

    long bucketsRecomputed() {
        return recomputed.get();
    }

    long tablesSwept() {
        return swept.get();
    }

    /**
     * One round: sweeps what needs a sweep, then recomputes dirty buckets table by table until none is left that
     * this worker can claim.
     *
     * @param dirtyBefore when not null, leave buckets dirtied at or after this database time for later
     * @return the number of units of work done (tables swept plus buckets recomputed); 0 means idle
     */
    long round(Instant dirtyBefore) {
        try {
            Connection c = connection();
            heartbeat(c);
            BucketRecompute work = new BucketRecompute(c, new SweepScan(dsn, jobs));
            List<GuardedTable> tables = tables(c);
            long done = 0;
            for (GuardedTable t : tables) {
                if (!t.usable() && reported.add(t.tableId())) {
                    LOG.warn(
                            "syncguard table {} in {} is skipped: {}",
                            t.qualifiedName(),
                            dsn.dbname(),
                            t.problem().orElse(""));
                }
            }
            for (GuardedTable t : work.needingSweep(tables)) {
                long start = System.nanoTime();
                int buckets = work.sweep(t);
                if (buckets >= 0) {
                    swept.incrementAndGet();
                    done++;
                    LOG.info(
                            "swept {} in {}: {} buckets in {} ms",
                            t.qualifiedName(),
                            dsn.dbname(),
                            buckets,
                            (System.nanoTime() - start) / 1_000_000);
                }
            }
            boolean progress = true;
            while (progress) {
                progress = false;
                for (GuardedTable t : tables) {
                    if (!t.usable()) {
                        continue;
                    }
                    int n = work.recomputeDirty(t, dirtyBefore);
                    if (n > 0) {
                        recomputed.addAndGet(n);
                        done += n;
                        progress = true;
                    }
                }
            }
            return done;
        } catch (SQLException e) {
            closeConnection();
            throw GuardErrors.of(e, dsn);
        } catch (PgFerryException e) {
            closeConnection();
            throw e;
        }
    }

    /**
     * The registered tables, read again every {@link #TABLES_TTL_NANOS}, after any failure, and at once when a table
     * was registered, registered again with another layout, or unregistered (a stale layout would put rows in the
     * wrong buckets).
     */
    private List<GuardedTable> tables(Connection c) throws SQLException {
        long now = System.nanoTime();
        String marker;
        try (PreparedStatement st = c.prepareStatement(
                        "SELECT count(*) || '/' || coalesce(max(registered_at)::text, '') FROM syncguard.monitored_tables");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            marker = rs.getString(1);
        }
        if (tables == null || now - tablesLoadedAt > TABLES_TTL_NANOS || !marker.equals(tablesMarker)) {
            tables = GuardedTable.load(c);
            tablesLoadedAt = now;
            tablesMarker = marker;
        }
        return tables;
    }

    /** The database's current time, for a drain that stops at what was dirty when it began. */
    Instant databaseNow() {
        try (PreparedStatement st = connection().prepareStatement("SELECT now()");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        } catch (SQLException e) {
            closeConnection();
            throw GuardErrors.of(e, dsn);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = Connections.open(dsn);
            try {
                GuardSchema.requireCurrent(c, "database " + dsn.dbname() + " at " + dsn.endpoints());
                HashSettings.pin(c);
                try (PreparedStatement st = c.prepareStatement("SET application_name = 'pgferry guard'")) {
                    st.execute();
                }
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    private void heartbeat(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO syncguard.worker_state"
                + " (worker_id, pid, started_at, heartbeat_at, buckets_recomputed)"
                + " VALUES (?, pg_backend_pid(), now(), now(), ?) ON CONFLICT (worker_id) DO UPDATE"
                + " SET pid = excluded.pid, heartbeat_at = now(), buckets_recomputed = excluded.buckets_recomputed")) {
            st.setString(1, workerId);
            st.setLong(2, recomputed.get());
            st.executeUpdate();
        }
    }

    /** Removes this worker's heartbeat and closes the connection. */
    void close() {
        if (connection != null) {
            try (PreparedStatement st =
                    connection.prepareStatement("DELETE FROM syncguard.worker_state WHERE worker_id = ?")) {
                st.setString(1, workerId);
                st.executeUpdate();
            } catch (SQLException e) {
                LOG.debug("could not remove the heartbeat of {} in {}", workerId, dsn.dbname(), e);
            }
        }
        closeConnection();
    }

    private void closeConnection() {
        tables = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the guard connection to {} failed", dsn.dbname(), e);
            }
            connection = null;
        }
    }
}
