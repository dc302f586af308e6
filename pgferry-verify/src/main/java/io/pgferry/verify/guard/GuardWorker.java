package io.pgferry.verify.guard;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the bucket catalogs of one or more databases current: the initial sweep of every registered table, then the
 * dirty buckets, oldest first, as fast as they come, pausing {@code naptime} only when there is nothing to do. Any
 * number of workers may serve one database; they share the work without overlap (see {@link BucketRecompute}).
 *
 * <p>A worker survives restarts of the server: a lost connection is retried with backoff, and after a crash (which
 * empties the UNLOGGED catalog) the tables are swept again. {@link #drain} is the one-shot form for cron jobs,
 * benchmarks and verify.
 *
 * <p>Threading: {@link #start} runs one thread per database; {@link #close} stops them and waits.
 */
public final class GuardWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuardWorker.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final List<DatabaseWorker> databases = new ArrayList<>();
    private final Duration naptime;
    private final List<Thread> threads = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopped = lock.newCondition();
    private volatile boolean stopping;
    private volatile PgFerryException failure;

    /** Connections a sweep reads a large table with, by default: one per processor. */
    public static final int DEFAULT_JOBS = Runtime.getRuntime().availableProcessors();

    public GuardWorker(List<Dsn> dsns, Duration naptime) {
        this(dsns, naptime, DEFAULT_JOBS);
    }

    /** @param jobs connections a sweep of a large table reads with at once, per database */
    public GuardWorker(List<Dsn> dsns, Duration naptime, int jobs) {
        if (dsns.isEmpty()) {
            throw new IllegalArgumentException("at least one database");
        }
        String id = "pgferry-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        for (Dsn dsn : dsns) {
            databases.add(new DatabaseWorker(dsn, id, jobs));
        }
        this.naptime = naptime;
    }

    /** What one-shot runs report. */
    public record Totals(long tablesSwept, long bucketsRecomputed) {}

    /**
     * Recomputes, in each database in turn, every bucket that was dirty when it began (and sweeps what needs it),
     * then returns. Buckets dirtied while it runs may be left for later; with writes stopped, the catalog is
     * current on return.
     */
    public static Totals drain(List<Dsn> dsns) {
        return drain(dsns, DEFAULT_JOBS);
    }

    /** {@link #drain(List)}, sweeping large tables with {@code jobs} connections at once. */
    public static Totals drain(List<Dsn> dsns, int jobs) {
        long swept = 0;
        long recomputed = 0;
        for (Dsn dsn : dsns) {
            DatabaseWorker w = new DatabaseWorker(
                    dsn, "pgferry-once-" + UUID.randomUUID().toString().substring(0, 8), jobs);
            try {
                Instant start = w.databaseNow();
                long done;
                do {
                    done = w.round(start); // a table swept in one round may have new dirty buckets
                } while (done > 0);
                swept += w.tablesSwept();
                recomputed += w.bucketsRecomputed();
            } finally {
                w.close();
            }
        }
        return new Totals(swept, recomputed);
    }

    /**
     * Recomputes, in one database, the buckets dirtied before {@code before} (a time of that database's clock) that no
     * other worker holds, and sweeps what needs it.
     */
    public static Totals drainBefore(Dsn dsn, Instant before) {
        DatabaseWorker w = new DatabaseWorker(
                dsn, "pgferry-verify-" + UUID.randomUUID().toString().substring(0, 8), DEFAULT_JOBS);
        try {
            long done;
            do {
                done = w.round(before);
            } while (done > 0);
            return new Totals(w.tablesSwept(), w.bucketsRecomputed());
        } finally {
            w.close();
        }
    }

    /** Starts one thread per database; returns at once. */
    public void start() {
        for (DatabaseWorker db : databases) {
            Thread t = new Thread(() -> loop(db), "pgferry-guard-" + db.dsn().dbname());
            threads.add(t);
            t.start();
        }
    }

    /** Empty while every database is served; else why not, for a readiness probe. */
    public java.util.Optional<String> notReadyBecause() {
        lock.lock();
        try {
            if (failure != null) {
                return java.util.Optional.of("a database failed: " + failure.getMessage());
            }
            return stopping ? java.util.Optional.of("the worker is stopping") : java.util.Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until {@link #close} is called or a database fails fatally; then throws that failure. */
    public void awaitFailure() throws InterruptedException {
        lock.lock();
        try {
            while (!stopping && failure == null) {
                stopped.await();
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }

    public Totals totals() {
        long swept = 0;
        long recomputed = 0;
        for (DatabaseWorker db : databases) {
            swept += db.tablesSwept();
            recomputed += db.bucketsRecomputed();
        }
        return new Totals(swept, recomputed);
    }

    private void loop(DatabaseWorker db) {
        Duration backoff = Duration.ofMillis(250);
        boolean wasDown = false;
        while (!stopping) {
            try {
                long done = db.round(null);
                if (wasDown) {
                    LOG.info("guard worker reconnected to {}", db.dsn().dbname());
                    wasDown = false;
                }
                backoff = Duration.ofMillis(250);
                if (done == 0) {
                    pause(naptime);
                }
            } catch (PgFerryException e) {
                if (!e.isRetriable() && !passing(e)) {
                    LOG.error("guard worker for {} stopped: {}", db.dsn().dbname(), e.getMessage());
                    fail(e);
                    break;
                }
                if (!e.isRetriable()) {
                    LOG.warn("guard worker for {} met {}; retrying", db.dsn().dbname(), e.problem());
                } else if (!wasDown) {
                    LOG.warn("guard worker lost {}: {}; retrying", db.dsn().dbname(), e.problem());
                    wasDown = true;
                }
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        db.close();
    }

    /**
     * Errors a long-running worker outlives, though a one-shot command reports them: a sweep or batch cancelled by an
     * operator (57014), a deadlock or serialization failure (40P01, 40001), a lock not available (55P03), and a table
     * or column that DDL removed since the worker read the registered tables (42P01, 42703; the next round reads
     * them again, and a dropped table is no longer registered). Issue 6: each of these stopped the worker for good.
     */
    static boolean passing(PgFerryException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
                return switch (s.getSQLState()) {
                    case "57014", "40P01", "40001", "55P03", "42P01", "42703" -> true;
                    default -> false;
                };
            }
        }
        return false;
    }

    private void fail(PgFerryException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            stopped.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code d} or until {@link #close}; the worker's pace between rounds, not a synchronisation. */
    private void pause(Duration d) {
        lock.lock();
        try {
            if (!stopping) {
                stopped.await(d.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the threads and waits for them; keeps the interrupt status if interrupted while waiting. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopping = true;
            stopped.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
