package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.sink.SourceState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
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

    /**
     * Regression test for issue 5: the lag in seconds was the age of the last applied commit whenever the source's
     * WAL stood past the sync's position, so a sync kept current while only tables outside it were written showed a
     * lag that grew without end (6,701 s, seen with the CLI, on a sync minutes behind at most). It now counts from
     * when the source had written all that the sync's position covers, which the running sync records.
     */
    @Test
    void theLagInSecondsCountsFromWhenTheSourceWroteWhatTheSyncHasNotRead(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE noise (id serial PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Dsn targetDsn = Dsn.parse(target.uri());
            SyncCatalog catalog =
                    new SyncCatalog(new PostgresDialect(), SyncCatalog.DEFAULT_SCHEMA, SyncConfig.Builder.DEFAULT_SLOT);
            Instant lastCommit;
            try (RunningSync running = RunningSync.start(new SyncEngine(SyncEngineTest.config(source, target)
                            .include("public.t")
                            .build()));
                    Connection t = target.connect()) {
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                source.execute("INSERT INTO t VALUES (1)");
                Databases.awaitSame(source, target, Duration.ofSeconds(30), "t");
                lastCommit = catalog.position(t).orElseThrow().sourceCommitTime();
                assertThat(lastCommit).as("commit time of the applied insert").isNotNull();
                // The sync stays current for two of its looks at the source: its record then says that the source
                // had written all its position covers well after that commit.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Instant caughtUp = null;
                while (System.nanoTime() < deadline) {
                    caughtUp = catalog.sourceStates()
                            .read(t)
                            .map(SourceState::caughtUpAt)
                            .orElse(null);
                    if (caughtUp != null && caughtUp.isAfter(lastCommit.plusSeconds(6))) {
                        break;
                    }
                    Thread.sleep(200); // polling interval of the wait, not a synchronisation
                }
                assertThat(caughtUp)
                        .as("caught up, as the running sync recorded")
                        .isAfter(lastCommit.plusSeconds(6));
                running.assertRunning();
            }
            // Stopped, the sync falls behind: the source writes on, to a table the sync does not even take.
            source.execute("INSERT INTO noise DEFAULT VALUES");
            // The test server commits asynchronously: the source's WAL write position passes the insert within
            // its WAL writer's delay.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            SyncStatus.Report r = SyncStatus.read(targetDsn, Dsn.parse(source.uri()), SyncCatalog.DEFAULT_SCHEMA, null)
                    .get(0);
            while (r.lagBytes() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling interval of the wait, not a synchronisation
                r = SyncStatus.read(targetDsn, Dsn.parse(source.uri()), SyncCatalog.DEFAULT_SCHEMA, null)
                        .get(0);
            }
            Instant now = Instant.now();
            assertThat(r.lagBytes()).as("WAL the sync has not read").isPositive();
            // No later transaction was applied (the stream drops the empty ones PostgreSQL 14 sends for writes
            // outside the publication). The bound below counts from the record's time, past lastCommit + 6 s.
            assertThat(r.sourceCommitTime()).isAfterOrEqualTo(lastCommit);
            assertThat(r.lagTime())
                    .as("lag in seconds, against the age of the last applied commit")
                    .isLessThan(Duration.between(lastCommit, now).minusSeconds(5));
        }
    }

    /**
     * Issue 5: while only tables outside the sync are written, the lag in seconds that status shows and the metric
     * {@code pgferry_sync_lag_seconds} serves stays small: the stream moves the target's position past their WAL, and
     * the running sync records when the source had written all that position covers.
     */
    @Test
    void whileOnlyOtherTablesAreWrittenTheLagStaysSmall(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE noise (id serial PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Dsn targetDsn = Dsn.parse(target.uri());
            SyncCatalog catalog =
                    new SyncCatalog(new PostgresDialect(), SyncCatalog.DEFAULT_SCHEMA, SyncConfig.Builder.DEFAULT_SLOT);
            SyncEngine engine = new SyncEngine(
                    SyncEngineTest.config(source, target).include("public.t").build());
            try (RunningSync running = RunningSync.start(engine);
                    Connection t = target.connect()) {
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                source.execute("INSERT INTO t VALUES (1)");
                Databases.awaitSame(source, target, Duration.ofSeconds(30), "t");
                Instant lastCommit = catalog.position(t).orElseThrow().sourceCommitTime();
                // Other tables written all along, for two of the sync's looks at the source and more.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Instant caughtUp = null;
                while (System.nanoTime() < deadline) {
                    source.execute("INSERT INTO noise DEFAULT VALUES");
                    caughtUp = catalog.sourceStates()
                            .read(t)
                            .map(SourceState::caughtUpAt)
                            .orElse(null);
                    if (caughtUp != null && caughtUp.isAfter(lastCommit.plusSeconds(12))) {
                        break;
                    }
                    Thread.sleep(200); // pace of the writes, and polling interval of the wait
                }
                assertThat(caughtUp)
                        .as("caught up while other tables were written, as the running sync recorded")
                        .isAfter(lastCommit.plusSeconds(12));
                SyncStatus.Report r = SyncStatus.read(targetDsn, null, SyncCatalog.DEFAULT_SCHEMA, null)
                        .get(0);
                // PostgreSQL 14's pgoutput sends the other tables' transactions, empty, and the sync applies them;
                // later
                // majors skip them, so its last applied commit stays the insert's.
                assertThat(r.sourceCommitTime()).isAfterOrEqualTo(lastCommit);
                assertThat(r.lagTime())
                        .as("lag in seconds, against the age of the last applied commit")
                        .isLessThan(Duration.between(lastCommit, Instant.now()).minusSeconds(8));
                assertThat(engine.lagSeconds())
                        .as("the lag the sync's metrics serve")
                        .isLessThan(Duration.between(lastCommit, Instant.now())
                                .minusSeconds(8)
                                .toSeconds());
                running.assertRunning();
            }
        }
    }

    @Test
    void theLagInSecondsIsBoundByTheLaterOfTheLastCommitAndTheCaughtUpTime() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        Instant hourAgo = now.minusSeconds(3600);
        Instant secondsAgo = now.minusSeconds(3);
        assertThat(SyncStatus.lagTime(0, hourAgo, null, now)).isZero();
        assertThat(SyncStatus.lagTime(100, hourAgo, null, now)).isEqualTo(Duration.ofHours(1));
        assertThat(SyncStatus.lagTime(100, hourAgo, secondsAgo, now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(SyncStatus.lagTime(100, secondsAgo, hourAgo, now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(SyncStatus.lagTime(100, null, secondsAgo, now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(SyncStatus.lagTime(100, null, null, now)).isZero();
        // Clocks of two machines: a time after now is no lag, not a negative one.
        assertThat(SyncStatus.lagTime(100, now.plusSeconds(1), null, now)).isZero();
    }
}
