package io.pgferry.engine;

import io.pgferry.core.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;

/**
 * When the source wrote its WAL, from samples of its WAL position taken over time: what turns a sync's applied
 * position into a lag in seconds. The age of the last applied commit is no measure of that: while the synced tables
 * are idle the source's WAL moves on (other tables, other databases, checkpoints), and that age grows without bound
 * although nothing is waiting to be applied.
 *
 * <p>{@link #coveredUntil} answers with the time by which the source had written the WAL at a position, interpolated
 * linearly between the two samples around it, as PostgreSQL estimates a standby's lag from the times it sent WAL
 * (PostgreSQL docs, "The Statistics Collector", {@code pg_stat_replication.replay_lag}). Samples older than {@link
 * #KEPT} are dropped; a position before the oldest sample kept has no answer. Not thread-safe: one thread samples and
 * asks.
 */
final class WalClock {
    /** How far back the samples reach. */
    static final Duration KEPT = Duration.ofHours(1);

    private record Sample(long wal, Instant at) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Records that the source's WAL position was {@code wal} at {@code at}; samples come in time order. */
    void observe(Lsn wal, Instant at) {
        Sample last = samples.peekLast();
        if (last != null && wal.value() < last.wal()) {
            // A position going back is another server (a failover to a standby that had not replayed as far):
            // what was sampled before says nothing of its WAL.
            samples.clear();
        }
        samples.addLast(new Sample(wal.value(), at));
        Instant horizon = at.minus(KEPT);
        while (samples.size() > 2 && samples.peekFirst().at().isBefore(horizon)) {
            samples.removeFirst();
        }
    }

    /**
     * The time by which the source had written everything up to {@code position}: every change written before it is
     * at or before {@code position}. The newest sample's time when {@code position} is at or past it; empty before
     * the first sample, or when {@code position} is older than every sample kept.
     */
    Optional<Instant> coveredUntil(Lsn position) {
        long p = position.value();
        Sample after = null;
        for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (s.wal() <= p) {
                if (after == null) {
                    return Optional.of(s.at());
                }
                // The WAL between the two samples was written between their times, at a rate taken as even.
                double share = (double) (p - s.wal()) / (after.wal() - s.wal());
                long nanos = Duration.between(s.at(), after.at()).toNanos();
                return Optional.of(s.at().plusNanos((long) (nanos * share)));
            }
            after = s;
        }
        return Optional.empty();
    }
}
