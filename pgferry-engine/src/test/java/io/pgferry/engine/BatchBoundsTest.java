package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Consecutive source transactions are grouped into one target transaction bounded by rows, bytes and time: here the
 * byte bound (4 KiB) is the one reached, by 200 transactions of one 1,000-byte row waiting in the slot, while the row
 * bound and the delay are far away. Before the byte bound, a batch of wide rows grew to the row bound (10,000 rows by
 * default), whatever their size. Issue #5 (its audit).
 *
 * <p>Not tagged "stream": what it tests is the target's side and the sync's own recovery, the same whatever the
 * source's major, so CI runs it on PostgreSQL 17 only.
 */
@PgTest
class BatchBoundsTest {
    private static final int TRANSACTIONS = 200;

    @Test
    void aBatchIsCommittedOnceItsRowsHoldTheByteBound(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            run(source, target, Long.MAX_VALUE);
            for (int i = 1; i <= TRANSACTIONS; i++) {
                source.execute("INSERT INTO t VALUES (" + i + ", repeat('x', 1000))");
            }
            SyncEngine bounded = run(source, target, 4096);
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(TRANSACTIONS);
            assertThat(bounded.applyStats().changes()).isEqualTo(TRANSACTIONS);
            // At most five 1,000-byte rows reach 4 KiB: at least 40 batches.
            assertThat(bounded.applyStats().batches()).isGreaterThanOrEqualTo(TRANSACTIONS / 5);
        }
    }

    private static SyncEngine run(TestDatabase source, TestDatabase target, long batchBytes) {
        SyncEngine engine = new SyncEngine(SyncConfig.builder()
                .source(source.uri())
                .target(target.uri())
                .untilCaughtUp(true)
                .batchRows(100_000)
                .batchBytes(batchBytes)
                .batchDelay(Duration.ofMinutes(1))
                .build());
        engine.run();
        return engine;
    }
}
