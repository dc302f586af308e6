package io.pgferry.engine;

/**
 * What the applier has committed so far.
 *
 * @param batches batches committed at the destination
 * @param changes changes in them
 * @param batchNanos time from each batch's first change to its commit, summed
 * @param lastBatchChanges changes in the last batch committed
 */
public record ApplyStats(long batches, long changes, long batchNanos, long lastBatchChanges) {
    public static final ApplyStats EMPTY = new ApplyStats(0, 0, 0, 0);
}
