package io.pgferry.engine;

import java.time.Instant;

/**
 * A running sync's lag as it last looked at the source: {@code bytes}, the source's WAL position minus the sync's
 * position, and {@code caughtUpAt}, the time by which the source had written all that position covers (null when the
 * sync could not tell: the position is older than its samples of the source's WAL).
 */
record SyncLag(long bytes, Instant caughtUpAt) {
    /**
     * How long ago, at {@code now}, the source wrote the oldest change the sync has not applied, in seconds, counted
     * as {@link SyncStatus#lagTime} counts it: zero without WAL left to read, else from the later of {@code
     * lastCommit} (the last applied commit, null if none) and {@code caughtUpAt}; NaN when neither is known.
     */
    double seconds(Instant now, Instant lastCommit) {
        if (bytes == 0) {
            return 0;
        }
        if (lastCommit == null && caughtUpAt == null) {
            return Double.NaN;
        }
        return SyncStatus.lagTime(bytes, lastCommit, caughtUpAt, now).toNanos() / 1e9;
    }
}
