package io.pgferry.verify.compare;

import java.time.Instant;

/**
 * One bucket of one side's catalog as read.
 *
 * @param rows row count; 0 with {@code present} false when the bucket has no catalog row (empty, or not computed yet)
 * @param computedAt null when not present
 * @param dirtySince the oldest unrecomputed change; null when clean
 */
record BucketState(long bucketId, boolean present, long rows, long hash, Instant computedAt, Instant dirtySince) {
    boolean dirty() {
        return dirtySince != null;
    }

    /** Same catalog content and dirty state: nothing happened to the bucket between two reads. */
    boolean sameAs(BucketState other) {
        return other != null
                && present == other.present
                && rows == other.rows
                && hash == other.hash
                && java.util.Objects.equals(computedAt, other.computedAt)
                && dirty() == other.dirty();
    }

    /** A bucket computed straight from the table (live fallback). */
    static BucketState live(long bucketId, long rows, long hash) {
        return new BucketState(bucketId, rows > 0, rows, hash, null, null);
    }
}
