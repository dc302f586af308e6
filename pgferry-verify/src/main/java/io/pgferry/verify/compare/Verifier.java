package io.pgferry.verify.compare;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.verify.guard.GuardWorker;
import io.pgferry.verify.guard.GuardedTable;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares the bucket catalogs of a publisher and a subscriber table by table, in one of three
 * {@link ConsistencyMode}s, and says which buckets differ. Reads only, except that lsn-barrier recomputes dirty
 * buckets itself on a side where no worker is running.
 *
 * <p>Tables are matched by schema and name. A table registered on one side only, with a different bucket layout or
 * a different column set, or not swept yet, is a problem of the run (inconclusive), not a divergence.
 */
public final class Verifier {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Verifier.class);
    private final VerifyOptions options;

    private Verifier(VerifyOptions options) {
        this.options = options;
    }

    /**
     * Runs one verification.
     *
     * @throws PgFerryException when a side cannot be reached or has no syncguard schema
     */
    public static VerifyReport run(VerifyOptions options) {
        return new Verifier(options).run();
    }

    private VerifyReport run() {
        Instant started = Instant.now();
        try (Side pub = Side.open("publisher", options.publisher());
                Side sub = Side.open("subscriber", options.subscriber())) {
            List<String> problems = new ArrayList<>();
            if (options.mode() == ConsistencyMode.LSN_BARRIER) {
                // This mode brings the catalogs current itself where no worker does, initial sweeps included;
                // where a worker runs, it waits for the worker to sweep again the tables whose columns changed, so
                // that the tables are matched on the columns they have now.
                for (Side side : List.of(pub, sub)) {
                    if (!side.hasLiveWorker()) {
                        GuardWorker.drainBefore(side.dsn, side.now());
                    } else {
                        awaitSweeps(side, problems);
                    }
                }
            }
            List<TablePair> pairs = TablePair.match(pub, sub, options, problems);
            if (pairs.isEmpty() && problems.isEmpty()) {
                // Nothing compared proves nothing: a filter that matches no table (a typo in the schema) or no
                // registered table is inconclusive, never "in sync".
                problems.add("no table registered with syncguard matches"
                        + (options.schema() == null ? "" : " in schema " + options.schema())
                        + ": nothing was compared; check the schema filter, or register the tables on both sides");
            }
            List<TablePair> usable =
                    pairs.stream().filter(p -> p.problems.isEmpty()).toList();
            Comparison comparison = new Comparison(pub, sub, usable, options);
            try {
                switch (options.mode()) {
                    case RAW -> comparison.raw();
                    case STABLE_WATERMARK -> comparison.stableWatermark();
                    case LSN_BARRIER -> comparison.lsnBarrier();
                }
            } catch (BarrierFailed e) {
                problems.add(e.getMessage());
            }
            if (options.liveFallbackDirtyAge() != null && options.mode() != ConsistencyMode.RAW) {
                comparison.liveFallback(options.liveFallbackDirtyAge());
            }
            VerifyReport report = report(started, pairs, comparison, problems);
            LOG.debug(
                    "verify {} took {} ms",
                    options.mode().wireName(),
                    java.time.Duration.between(started, report.finishedAt()).toMillis());
            return report;
        } catch (Side.Failure e) {
            PgFerryException c = Connections.classify(e.cause(), e.dsn);
            throw new PgFerryException(
                    "on the " + e.role + " (" + e.dsn.endpoints() + "/" + e.dsn.dbname() + "): " + c.problem(),
                    c.fix(),
                    c.isRetriable(),
                    e.cause());
        } catch (SQLException e) {
            throw Connections.classify(e, options.subscriber());
        }
    }

    private void awaitSweeps(Side side, List<String> problems) throws SQLException {
        List<GuardedTable> tables = List.copyOf(side.tables().values());
        long deadline = System.nanoTime() + options.barrierTimeout().toNanos();
        while (side.unswept(tables) > 0) {
            if (System.nanoTime() > deadline) {
                problems.add("the " + side.role + "'s guard worker did not sweep again, within "
                        + options.barrierTimeout().toSeconds() + " s, the tables whose columns changed; check its"
                        + " guard worker");
                return;
            }
            Comparison.pause(Duration.ofMillis(10));
        }
    }

    private VerifyReport report(Instant started, List<TablePair> pairs, Comparison comparison, List<String> problems) {
        List<VerifyReport.TableResult> tables = new ArrayList<>();
        long buckets = 0;
        long compared = 0;
        for (TablePair p : pairs) {
            TableVerdicts v = comparison.verdicts(p);
            tables.add(v.result(p));
            buckets += v.buckets();
            compared += v.compared();
        }
        double coverage = buckets == 0 ? 100.0 : 100.0 * compared / buckets;
        boolean diverged = tables.stream().anyMatch(t -> !t.divergences().isEmpty());
        boolean tableProblems = tables.stream().anyMatch(t -> !t.problems().isEmpty());
        VerifyReport.Outcome outcome;
        if (diverged) {
            outcome = VerifyReport.Outcome.DIVERGED;
        } else if (!problems.isEmpty() || tableProblems || coverage < options.minCoveragePct()) {
            outcome = VerifyReport.Outcome.INCONCLUSIVE;
        } else {
            outcome = VerifyReport.Outcome.IN_SYNC;
        }
        if (coverage < options.minCoveragePct()) {
            problems.add(String.format(
                    java.util.Locale.ROOT,
                    "coverage %.1f%% is below the minimum of %.1f%%: too many buckets were dirty or unstable",
                    coverage,
                    options.minCoveragePct()));
        }
        return new VerifyReport(
                options.mode(),
                started,
                Instant.now(),
                outcome,
                coverage,
                options.minCoveragePct(),
                tables,
                List.copyOf(problems));
    }

    /** A barrier that could not be reached: the run is inconclusive, with this message as the reason. */
    static final class BarrierFailed extends Exception {
        private static final long serialVersionUID = 1L;

        BarrierFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** Buckets of both sides of one table, by id, in id order. */
    static TreeSet<Long> union(Map<Long, BucketState> a, Map<Long, BucketState> b) {
        TreeSet<Long> ids = new TreeSet<>(a.keySet());
        ids.addAll(b.keySet());
        return ids;
    }

    static Optional<Duration> age(BucketState s, Instant now) {
        return s == null || s.dirtySince() == null
                ? Optional.empty()
                : Optional.of(Duration.between(s.dirtySince(), now));
    }

    static List<GuardedTable> tablesOf(List<TablePair> pairs, boolean publisher) {
        return pairs.stream().map(p -> publisher ? p.publisher : p.subscriber).toList();
    }
}
