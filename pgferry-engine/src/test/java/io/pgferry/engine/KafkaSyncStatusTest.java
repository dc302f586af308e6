package io.pgferry.engine;

import static io.pgferry.engine.KafkaSyncTest.awaitRecords;
import static io.pgferry.engine.KafkaSyncTest.config;
import static io.pgferry.engine.KafkaSyncTest.prefix;
import static io.pgferry.engine.KafkaSyncTest.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.sink.SourceState;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue 7: a Kafka target kept no record of the source. A status read from Kafka alone showed
 * neither lag nor slot, and with the source at hand the lag in seconds was the age of the last change sent, growing
 * without end while only tables outside the sync were written. The running sync now records what it sees of the
 * source in the sync's table-state topic, as a SQL target's catalog does ({@code source_state}).
 */
@PgTest
@Tag("stream")
@Tag("kafka")
class KafkaSyncStatusTest {

    private static Optional<SourceState> recorded(KafkaTarget target) {
        return Optional.ofNullable(
                KafkaTableStates.read(target, "pgferry_sync").sources().get("pgferry_sync"));
    }

    @Test
    void aStatusFromKafkaAloneShowsTheSourceAndTheLagCountsFromWhenItWroteWhatTheSyncHasNotRead(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE noise (id serial PRIMARY KEY)",
                "INSERT INTO t VALUES (1, 'copied')");
        String prefix = prefix();
        KafkaTarget target = target(prefix);
        Instant lastCommit;
        try (RunningSync running = RunningSync.start(new SyncEngine(
                config(source, prefix).include("public.t").untilCaughtUp(false).build()))) {
            awaitRecords(prefix + ".public.t", 1); // copied: what follows is streamed
            source.execute("INSERT INTO t VALUES (2, 'streamed')");
            awaitRecords(prefix + ".public.t", 2);
            // The position follows the records it covers (at once in exactly-once delivery, after them otherwise).
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            lastCommit = SyncStatus.read(target, null, false).get(0).sourceCommitTime();
            while (lastCommit == null && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling interval of the wait, not a synchronisation
                lastCommit = SyncStatus.read(target, null, false).get(0).sourceCommitTime();
            }
            assertThat(lastCommit).as("commit time of the insert sent").isNotNull();

            // From Kafka alone: the slot as the running sync saw it, and when.
            SyncStatus.Report r = SyncStatus.read(target, null, false).get(0);
            while ((r.slot() == null || !r.slot().active()) && System.nanoTime() < deadline) {
                Thread.sleep(200); // polling interval of the wait, not a synchronisation
                r = SyncStatus.read(target, null, false).get(0);
            }
            assertThat(r.slot()).as("slot as the sync saw it").isNotNull();
            assertThat(r.slot().active()).isTrue();
            assertThat(r.slot().confirmedFlush()).isNotNull();
            assertThat(r.lagBytes()).isNotNull().isNotNegative();
            assertThat(r.sourceSeenAt()).isNotNull();

            // The sync stays current for two of its looks at the source: its record then says that the source had
            // written all its position covers well after that commit.
            Instant caughtUp = null;
            while (System.nanoTime() < deadline) {
                caughtUp = recorded(target).map(SourceState::caughtUpAt).orElse(null);
                if (caughtUp != null && caughtUp.isAfter(lastCommit.plusSeconds(6))) {
                    break;
                }
                Thread.sleep(200); // polling interval of the wait, not a synchronisation
            }
            assertThat(caughtUp).as("caught up, as the running sync recorded").isAfter(lastCommit.plusSeconds(6));
            running.assertRunning();
        }
        // Stopped, the sync falls behind: the source writes on, to a table the sync does not take.
        source.execute("INSERT INTO noise DEFAULT VALUES");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SyncStatus.Report r =
                SyncStatus.read(target, Dsn.parse(source.uri()), false).get(0);
        while (r.lagBytes() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling interval of the wait, not a synchronisation
            r = SyncStatus.read(target, Dsn.parse(source.uri()), false).get(0);
        }
        Instant now = Instant.now();
        assertThat(r.lagBytes()).as("WAL the sync has not read").isPositive();
        assertThat(r.lagTime())
                .as("lag in seconds, against the age of the last commit sent")
                .isLessThan(Duration.between(lastCommit, now).minusSeconds(5));

        // Removing the sync removes its record too.
        SyncTeardown.drop(Dsn.parse(source.uri()), "pgferry_sync", target);
        assertThat(recorded(target)).isEmpty();
    }
}
