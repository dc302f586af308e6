package io.pgferry.verify.compare;

import java.time.Instant;
import java.util.List;

/**
 * The result of one verify run. Its JSON form (the CLI's {@code --json}) has the same fields in snake case; see
 * docs/verify.md.
 */
public record VerifyReport(
        ConsistencyMode mode,
        Instant startedAt,
        Instant finishedAt,
        Outcome outcome,
        double coveragePct,
        double minCoveragePct,
        List<TableResult> tables,
        List<String> problems) {

    /** The verdict; {@code exitCode} is what {@code pgferry verify} exits with. */
    public enum Outcome {
        IN_SYNC(0),
        DIVERGED(1),
        INCONCLUSIVE(3);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One table: {@code buckets} is every bucket either side knows; {@code compared} were compared (from the catalogs
     * or live); {@code skipped} were dirty or unstable.
     */
    public record TableResult(
            String schema,
            String table,
            String layout,
            long buckets,
            long compared,
            long live,
            long skipped,
            List<Divergence> divergences,
            List<String> problems) {}

    /** One bucket that differs, with each side's row count (null when the bucket is absent there). */
    public record Divergence(long bucketId, BucketStatus status, Long publisherRows, Long subscriberRows) {}

    public long divergenceCount() {
        return tables.stream().mapToLong(t -> t.divergences().size()).sum();
    }
}
