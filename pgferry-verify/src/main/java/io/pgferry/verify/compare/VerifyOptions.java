package io.pgferry.verify.compare;

import io.pgferry.postgres.connect.Dsn;
import java.time.Duration;
import java.util.List;

/**
 * What {@link Verifier} compares and how.
 *
 * @param schema only tables of this schema; null for all
 * @param tables only these tables ({@code name} or {@code schema.name}); empty for all
 * @param stabilityBuffer how old a bucket's hash must be (stable-watermark) and how long to wait between reads
 * @param stabilityRetries re-reads to confirm stability (stable-watermark) or confirmation barriers (lsn-barrier)
 * @param minCoveragePct below this share of compared buckets the run is inconclusive
 * @param liveFallbackDirtyAge with live fallback, buckets dirty for longer are hashed straight from both tables; null
 *     for no live fallback
 * @param slots the publisher slots the subscriber reads from (lsn-barrier); empty to find them on the subscriber
 * @param barrierTimeout how long lsn-barrier waits for the subscriber and the workers
 */
public record VerifyOptions(
        Dsn publisher,
        Dsn subscriber,
        String schema,
        List<String> tables,
        ConsistencyMode mode,
        Duration stabilityBuffer,
        int stabilityRetries,
        double minCoveragePct,
        Duration liveFallbackDirtyAge,
        List<String> slots,
        Duration barrierTimeout) {

    public VerifyOptions {
        tables = List.copyOf(tables);
        slots = List.copyOf(slots);
        if (stabilityRetries < 0) {
            throw new IllegalArgumentException("stabilityRetries must be 0 or more");
        }
        if (minCoveragePct < 0 || minCoveragePct > 100) {
            throw new IllegalArgumentException("minCoveragePct must be between 0 and 100");
        }
    }

    /** The defaults of pg-sync-guard: stable-watermark, 250 ms, 1 retry, 80 %, no live fallback. */
    public static VerifyOptions defaults(Dsn publisher, Dsn subscriber) {
        return new VerifyOptions(
                publisher,
                subscriber,
                null,
                List.of(),
                ConsistencyMode.STABLE_WATERMARK,
                Duration.ofMillis(250),
                1,
                80,
                null,
                List.of(),
                Duration.ofSeconds(60));
    }

    public VerifyOptions withMode(ConsistencyMode m) {
        return new VerifyOptions(
                publisher,
                subscriber,
                schema,
                tables,
                m,
                stabilityBuffer,
                stabilityRetries,
                minCoveragePct,
                liveFallbackDirtyAge,
                slots,
                barrierTimeout);
    }

    public VerifyOptions withBarrierTimeout(Duration timeout) {
        return new VerifyOptions(
                publisher,
                subscriber,
                schema,
                tables,
                mode,
                stabilityBuffer,
                stabilityRetries,
                minCoveragePct,
                liveFallbackDirtyAge,
                slots,
                timeout);
    }

    public VerifyOptions withStability(Duration buffer, int retries) {
        return new VerifyOptions(
                publisher,
                subscriber,
                schema,
                tables,
                mode,
                buffer,
                retries,
                minCoveragePct,
                liveFallbackDirtyAge,
                slots,
                barrierTimeout);
    }

    public VerifyOptions withTables(String schemaFilter, List<String> tableFilter) {
        return new VerifyOptions(
                publisher,
                subscriber,
                schemaFilter,
                tableFilter,
                mode,
                stabilityBuffer,
                stabilityRetries,
                minCoveragePct,
                liveFallbackDirtyAge,
                slots,
                barrierTimeout);
    }
}
