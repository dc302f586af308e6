package io.pgferry.scan;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans several databases at once, each on a thread of its own, and keeps each going whatever the others do: a
 * database that is down at start, or whose scan fails, is started again after a backoff (1 s doubling to 1 min),
 * without limit, while the others go on (pgsense-rs tried once, then left that database unmonitored and exited 0).
 * With {@code untilCaughtUp}, a database that keeps failing for {@code giveUpAfter} is given up and counted. A lone
 * database whose scan fails fatally (a bad setting, a missing right) ends the run with that error instead: there are
 * no others to keep going for, and retrying cannot fix it.
 */
public final class ScanSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ScanSupervisor.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** A database to scan: its identity (for logs) and how to make a new job for it (one per attempt). */
    public record Database(String identity, Supplier<ScanJob> jobs) {}

    private final List<Database> databases;
    private final boolean untilCaughtUp;
    private final Duration giveUpAfter;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Map<String, ScanJob> running = new ConcurrentHashMap<>();
    private final Map<String, ScanJob> finished = new ConcurrentHashMap<>();
    private volatile RuntimeException fatal;

    public ScanSupervisor(List<Database> databases, boolean untilCaughtUp, Duration giveUpAfter) {
        this.databases = List.copyOf(databases);
        this.untilCaughtUp = untilCaughtUp;
        this.giveUpAfter = giveUpAfter;
    }

    /**
     * Runs every database until {@link #stop} (or, with until-caught-up, until each caught up or was given up).
     *
     * @return the identities of the databases given up
     * @throws RuntimeException what ended a lone database's scan fatally
     */
    public List<String> run() throws InterruptedException {
        List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (Database d : databases) {
            Thread t = new Thread(
                    () -> {
                        if (!supervise(d)) {
                            failed.add(d.identity());
                        }
                    },
                    "pgferry-scan-" + d.identity());
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (fatal != null) {
            throw fatal;
        }
        return List.copyOf(failed);
    }

    /** The identities of the databases, in order. */
    public List<String> identities() {
        return databases.stream().map(Database::identity).toList();
    }

    /** The stream counters of a database's current job (zero while none runs); for metrics. */
    public StreamStats stats(String identity) {
        ScanJob j = running.get(identity);
        if (j == null) {
            j = finished.get(identity);
        }
        return j == null ? StreamStats.EMPTY : j.streamStats();
    }

    /** A database's state: its stream's ({@code streaming}, {@code reconnecting}, ...) or {@code waiting}. */
    public String state(String identity) {
        ScanJob j = running.get(identity);
        ChangeStream.State st = j == null ? null : j.streamState();
        return st == null ? "waiting" : st.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Empty while every database is scanned (streaming or reading its snapshot); else why not, for /ready. */
    public Optional<String> notReadyBecause() {
        for (Database d : databases) {
            ScanJob j = running.get(d.identity());
            ChangeStream.State st = j == null ? null : j.streamState();
            if (st != ChangeStream.State.STREAMING && st != ChangeStream.State.SNAPSHOTTING) {
                return Optional.of("database " + d.identity() + " is "
                        + (st == null
                                ? "not scanned (starting or waiting to try again)"
                                : st.name().toLowerCase(java.util.Locale.ROOT)));
            }
        }
        return Optional.empty();
    }

    /** The last job of each database that ran to its end, by identity (for the summary). */
    public Map<String, ScanJob> finishedJobs() {
        return Map.copyOf(finished);
    }

    /** Asks every database's scan to drain and stop; waits for them. */
    public void stop() {
        stopping.countDown();
        for (ScanJob j : running.values()) {
            j.stop();
        }
    }

    /** @return false when the database was given up */
    private boolean supervise(Database d) {
        Duration backoff = FIRST_BACKOFF;
        long failingSince = 0;
        while (stopping.getCount() > 0) {
            ScanJob job = null;
            try {
                job = d.jobs().get();
                running.put(d.identity(), job);
                if (stopping.getCount() == 0) {
                    return true;
                }
                job.run();
                finished.put(d.identity(), job);
                return true;
            } catch (RuntimeException e) {
                if (databases.size() == 1 && !(e instanceof PgFerryException p && p.isRetriable())) {
                    fatal = e;
                    return false;
                }
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                }
                if (untilCaughtUp && Duration.ofNanos(now - failingSince).compareTo(giveUpAfter) > 0) {
                    LOG.error("database {}: giving up after {} s: {}", d.identity(), giveUpAfter.toSeconds(), safe(e));
                    return false;
                }
                LOG.warn("database {}: {}; trying again in {} s", d.identity(), safe(e), backoff.toSeconds());
                try {
                    if (stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return true;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } finally {
                if (job != null) {
                    running.remove(d.identity(), job);
                }
            }
        }
        return true;
    }

    /** A failure as one line: a PgFerryException's message holds no row values by contract; of others, the class. */
    private static String safe(RuntimeException e) {
        if (e instanceof PgFerryException p) {
            return p.problem().lines().findFirst().orElse("");
        }
        return e.getClass().getName();
    }
}
