package io.pgferry.engine;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The source's and the target's connections dropped while streaming (their backends terminated, as a restart or a
 * network cut does): the sync reconnects, delivers again what was not acknowledged, skips what the target already
 * holds, and ends equal to the source, with no duplicate in a keyless table. Issue #5.
 */
@PgTest
@Tag("stream")
class SyncReconnectTest {

    @Test
    void targetAndSourceConnectionsDroppedWhileStreaming(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "CREATE TABLE log (n int)",
                "ALTER TABLE log REPLICA IDENTITY FULL",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 1000) i");
        try (TestDatabase target = TestDatabase.create(source.server());
                RunningSync running = RunningSync.start(new SyncEngine(SyncEngineTest.config(source, target)
                        .maxRetryTime(Duration.ofMinutes(1))
                        .build()))) {
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "t", "log");
            Databases.awaitStreaming(target, Duration.ofSeconds(60));
            for (int round = 0; round < 3; round++) {
                source.execute(
                        "UPDATE t SET v = v + 1 WHERE id % 7 = " + round,
                        "INSERT INTO log SELECT " + round + " FROM generate_series(1, 50)");
                // Every session of the sync at the target (apply, probe, checkpoint, lock), then its walsender.
                target.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname ="
                        + " current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'pgferry%'");
                source.execute("INSERT INTO log VALUES (" + (100 + round) + ")");
                source.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name ="
                        + " 'pgferry_sync' AND active_pid IS NOT NULL");
                source.execute("DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE n = " + round + " LIMIT 1)");
                Databases.awaitSame(source, target, Duration.ofSeconds(90), "t", "log");
            }
            running.assertRunning();
        }
    }
}
