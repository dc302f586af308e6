package io.pgferry.verify.compare;

import io.pgferry.verify.guard.GuardWorker;
import io.pgferry.verify.guard.GuardedTable;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The three consistency modes over a set of table pairs; verdicts accumulate per table. */
final class Comparison {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Comparison.class);
    private static final Duration POLL = Duration.ofMillis(10);

    private record Reading(Map<Long, BucketState> pub, Map<Long, BucketState> sub, Instant pubNow, Instant subNow) {
        BucketState p(long id) {
            return pub.get(id);
        }

        BucketState s(long id) {
            return sub.get(id);
        }

        boolean clean(long id) {
            return !dirty(p(id)) && !dirty(s(id));
        }

        Set<Long> ids() {
            return Verifier.union(pub, sub);
        }
    }

    private final Side pub;
    private final Side sub;
    private final List<TablePair> pairs;
    private final VerifyOptions options;
    private final Map<TablePair, TableVerdicts> verdicts = new IdentityHashMap<>();
    private final Map<TablePair, Reading> last = new IdentityHashMap<>();

    Comparison(Side pub, Side sub, List<TablePair> pairs, VerifyOptions options) {
        this.pub = pub;
        this.sub = sub;
        this.pairs = pairs;
        this.options = options;
        for (TablePair p : pairs) {
            verdicts.put(p, new TableVerdicts());
        }
    }

    TableVerdicts verdicts(TablePair p) {
        return verdicts.computeIfAbsent(p, x -> new TableVerdicts());
    }

    void raw() throws SQLException {
        for (TablePair p : pairs) {
            Reading r = read(p);
            for (long id : r.ids()) {
                verdicts(p).compared(id, r.p(id), r.s(id), false);
            }
        }
    }

    void stableWatermark() throws SQLException {
        Map<TablePair, TreeSet<Long>> candidates = new LinkedHashMap<>();
        for (TablePair p : pairs) {
            Reading r = read(p);
            Instant pubCutoff = r.pubNow().minus(options.stabilityBuffer());
            Instant subCutoff = r.subNow().minus(options.stabilityBuffer());
            TreeSet<Long> ids = new TreeSet<>();
            for (long id : r.ids()) {
                if (r.clean(id) && computedBefore(r.p(id), pubCutoff) && computedBefore(r.s(id), subCutoff)) {
                    ids.add(id);
                }
            }
            candidates.put(p, ids);
        }
        for (int i = 0; i < options.stabilityRetries(); i++) {
            pause(options.stabilityBuffer());
            for (TablePair p : pairs) {
                Reading before = last.get(p);
                Reading now = read(p);
                candidates.get(p).removeIf(id -> !same(before.p(id), now.p(id)) || !same(before.s(id), now.s(id)));
            }
        }
        for (TablePair p : pairs) {
            Reading r = last.get(p);
            for (long id : r.ids()) {
                if (candidates.get(p).contains(id)) {
                    verdicts(p).compared(id, r.p(id), r.s(id), false);
                } else {
                    verdicts(p).skipped(id);
                }
            }
        }
    }

    void lsnBarrier() throws SQLException, Verifier.BarrierFailed {
        barrier();
        Map<TablePair, TreeSet<Long>> pending = new LinkedHashMap<>();
        for (TablePair p : pairs) {
            Reading r = read(p);
            TreeSet<Long> mismatched = new TreeSet<>();
            for (long id : r.ids()) {
                if (!r.clean(id)) {
                    verdicts(p).skipped(id);
                } else if (BucketStatus.of(r.p(id), r.s(id)) == null || options.stabilityRetries() == 0) {
                    verdicts(p).compared(id, r.p(id), r.s(id), false);
                } else {
                    mismatched.add(id);
                }
            }
            pending.put(p, mismatched);
        }
        // A mismatch may be a change the publisher's catalog already holds and the subscriber had not applied when
        // it was read. After a second barrier the subscriber has applied it; if the publisher's bucket has not moved
        // meanwhile, a mismatch that remains is real.
        for (int i = 0;
                i < options.stabilityRetries() && pending.values().stream().anyMatch(s -> !s.isEmpty());
                i++) {
            barrier();
            for (TablePair p : pairs) {
                if (pending.get(p).isEmpty()) {
                    continue;
                }
                Reading before = last.get(p);
                Reading now = read(p);
                pending.get(p).removeIf(id -> {
                    if (same(before.p(id), now.p(id)) && now.clean(id)) {
                        verdicts(p).compared(id, now.p(id), now.s(id), false);
                        return true;
                    }
                    return false;
                });
            }
        }
        for (TablePair p : pairs) {
            pending.get(p).forEach(id -> verdicts(p).skipped(id));
            Reading r = last.get(p);
            r.ids().forEach(id -> verdicts(p).skipped(id));
        }
    }

    /** Hashes buckets dirty for longer than {@code age} straight from both tables. */
    void liveFallback(Duration age) throws SQLException {
        for (TablePair p : pairs) {
            Reading r = last.get(p);
            if (r == null) {
                continue;
            }
            List<Long> old = new ArrayList<>();
            for (long id : verdicts(p).skippedBuckets()) {
                boolean longDirty = Verifier.age(r.p(id), r.pubNow())
                                .filter(d -> d.compareTo(age) >= 0)
                                .isPresent()
                        || Verifier.age(r.s(id), r.subNow())
                                .filter(d -> d.compareTo(age) >= 0)
                                .isPresent();
                if (longDirty) {
                    old.add(id);
                }
            }
            if (old.isEmpty()) {
                continue;
            }
            Map<Long, BucketState> a = pub.live(p.publisher, old);
            Map<Long, BucketState> b = sub.live(p.subscriber, old);
            for (long id : old) {
                verdicts(p).compared(id, a.get(id), b.get(id), true);
            }
        }
    }

    private Reading read(TablePair p) throws SQLException {
        Instant pubNow = pub.now();
        Instant subNow = sub.now();
        Reading r = new Reading(pub.read(p.publisher), sub.read(p.subscriber), pubNow, subNow);
        last.put(p, r);
        return r;
    }

    /**
     * Waits until the subscriber has confirmed the publisher's current WAL position and no table of its
     * subscriptions is still in its initial copy, then until each side's catalog holds every change made before that
     * point.
     */
    private void barrier() throws SQLException, Verifier.BarrierFailed {
        List<String> slots = options.slots();
        if (slots.isEmpty()) {
            List<String> readers = sub.subscriptionSlots();
            if (readers.isEmpty()) {
                throw new Verifier.BarrierFailed("lsn-barrier found no subscription or pgferry sync reading into the"
                        + " subscriber database, so it cannot tell how far it has applied; give the publisher's slot"
                        + " name, or use the stable-watermark mode");
            }
            slots = pub.slotsOfThisDatabase(readers);
            if (slots.isEmpty()) {
                throw new Verifier.BarrierFailed("none of the subscriber's subscriptions and pgferry syncs (slots "
                        + String.join(", ", readers) + ") reads from the publisher's database, which has no slot of"
                        + " those names; give the publisher's slot name, or use the stable-watermark mode");
            }
        }
        long start = System.nanoTime();
        long lsn = pub.walPosition();
        Instant pubBarrier = pub.now();
        long deadline = System.nanoTime() + options.barrierTimeout().toNanos();
        Map<String, Long> positions = new HashMap<>();
        while (!pub.slotsConfirmed(slots, lsn, positions)) {
            if (System.nanoTime() > deadline) {
                throw new Verifier.BarrierFailed("the subscriber did not confirm publisher position "
                        + io.pgferry.core.Lsn.of(lsn) + " within "
                        + options.barrierTimeout().toSeconds()
                        + " s (slots " + describe(slots, positions) + "); check that replication is running");
            }
            pause(POLL);
        }
        for (List<String> copying = sub.tablesInInitialCopy(slots);
                !copying.isEmpty();
                copying = sub.tablesInInitialCopy(slots)) {
            if (System.nanoTime() > deadline) {
                throw new Verifier.BarrierFailed("tables " + String.join(", ", copying) + " of the subscriber's"
                        + " subscriptions were still in their initial copy after "
                        + options.barrierTimeout().toSeconds() + " s, so the subscription's position does not cover"
                        + " them; wait until pg_subscription_rel shows them ready, or use the stable-watermark mode");
            }
            pause(POLL);
        }
        Instant subBarrier = sub.now();
        long confirmed = System.nanoTime();
        catchUp(pub, pubBarrier, deadline);
        long pubCurrent = System.nanoTime();
        catchUp(sub, subBarrier, deadline);
        LOG.debug(
                "barrier at {}: confirmed by {} in {} ms; catalogs current in {} ms (publisher) and {} ms (subscriber)",
                io.pgferry.core.Lsn.of(lsn),
                slots,
                (confirmed - start) / 1_000_000,
                (pubCurrent - confirmed) / 1_000_000,
                (System.nanoTime() - pubCurrent) / 1_000_000);
    }

    private void catchUp(Side side, Instant before, long deadline) throws SQLException, Verifier.BarrierFailed {
        List<GuardedTable> tables = Verifier.tablesOf(pairs, side == pub);
        while (side.dirtyBefore(tables, before) > 0 || side.unswept(tables) > 0) {
            if (System.nanoTime() > deadline) {
                throw new Verifier.BarrierFailed("the " + side.role + "'s catalog did not catch up with the barrier"
                        + " within " + options.barrierTimeout().toSeconds() + " s; check its guard worker");
            }
            if (side.hasLiveWorker()) {
                pause(POLL);
            } else {
                GuardWorker.drainBefore(side.dsn, before);
            }
        }
    }

    private static String describe(List<String> slots, Map<String, Long> positions) {
        StringBuilder out = new StringBuilder();
        for (String s : slots) {
            out.append(out.length() == 0 ? "" : ", ")
                    .append(s)
                    .append(" at ")
                    .append(
                            positions.containsKey(s)
                                    ? io.pgferry.core.Lsn.of(positions.get(s)).toString()
                                    : "missing");
        }
        return out.toString();
    }

    private static boolean dirty(BucketState s) {
        return s != null && s.dirty();
    }

    private static boolean computedBefore(BucketState s, Instant cutoff) {
        return s == null || !s.present() || s.computedAt().isBefore(cutoff);
    }

    private static boolean same(BucketState a, BucketState b) {
        return a == null ? b == null : a.sameAs(b);
    }

    /** The wait between reads that the mode asks for; not a synchronisation of this program's threads. */
    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying", e);
        }
    }
}
