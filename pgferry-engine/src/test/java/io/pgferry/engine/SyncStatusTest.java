package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue 5: {@code pgferry status --target DSN} is to show the lag and the state of the slot, but
 * without the source at hand it showed neither. A running sync now records what it sees of the source at the
 * target, and a status read from the target alone reports it with the time it was seen.
 */
@PgTest
@Tag("stream")
class SyncStatusTest {

    /**
     * Reads the status from the target alone until the sync's view of the source shows its slot active (the first
     * record may be made as the stream is still connecting).
     */
    static SyncStatus.Report awaitSourceView(Dsn target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SyncStatus.Report r =
                SyncStatus.read(target, null, SyncCatalog.DEFAULT_SCHEMA, null).get(0);
        while ((r.slot() == null || !r.slot().active()) && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling interval of the wait, not a synchronisation
            r = SyncStatus.read(target, null, SyncCatalog.DEFAULT_SCHEMA, null).get(0);
        }
        return r;
    }

    @Test
    void aStatusFromTheTargetAloneShowsLagAndSlotAsTheRunningSyncSawThem(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Dsn targetDsn = Dsn.parse(target.uri());
            try (RunningSync running = RunningSync.start(
                    new SyncEngine(SyncEngineTest.config(source, target).build()))) {
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                Instant before = Instant.now().minusSeconds(60);
                SyncStatus.Report r = awaitSourceView(targetDsn, Duration.ofSeconds(30));
                assertThat(r.slot()).as("slot as the sync saw it").isNotNull();
                assertThat(r.slot().exists()).isTrue();
                assertThat(r.slot().active()).isTrue();
                assertThat(r.slot().confirmedFlush()).isNotNull();
                assertThat(r.slot().retainedBytes()).isNotNull().isNotNegative();
                assertThat(r.lagBytes()).isNotNull().isNotNegative();
                assertThat(r.lagTime()).isNotNull();
                assertThat(r.sourceSeenAt()).isAfter(before);

                // With the source at hand, the same figures come from it now, not from the record.
                SyncStatus.Report live = SyncStatus.read(
                                targetDsn, Dsn.parse(source.uri()), SyncCatalog.DEFAULT_SCHEMA, null)
                        .get(0);
                assertThat(live.sourceSeenAt()).isNull();
                assertThat(live.slot().active()).isTrue();
                running.assertRunning();
            }
            // The record outlives the sync, and says when it was made.
            SyncStatus.Report after = SyncStatus.read(targetDsn, null, SyncCatalog.DEFAULT_SCHEMA, null)
                    .get(0);
            assertThat(after.slot()).isNotNull();
            assertThat(after.sourceSeenAt()).isNotNull();
        }
    }
}
