package io.pgferry.engine;

/**
 * What the applier has committed, for the sync's result and its metrics. Written by the applier thread only; volatile
 * for the scrape that reads it.
 */
final class BatchCounters {
    private volatile long applied;
    private volatile long batches;
    private volatile long batchNanos;
    private volatile long lastBatchRows;

    /** Counts a batch of {@code rows} changes, committed {@code nanos} after its first change was applied. */
    void committed(long rows, long nanos) {
        applied += rows;
        batchNanos += nanos;
        lastBatchRows = rows;
        batches++;
    }

    /** Changes applied and committed so far. */
    long applied() {
        return applied;
    }

    ApplyStats stats() {
        return new ApplyStats(batches, applied, batchNanos, lastBatchRows);
    }
}
