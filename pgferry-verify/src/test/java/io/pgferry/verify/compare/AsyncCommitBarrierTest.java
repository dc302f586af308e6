package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue #6: lsn-barrier read the publisher's position with {@code pg_current_wal_lsn()}, the WAL
 * written so far. A transaction committed with {@code synchronous_commit = off} (the test servers' setting, and many
 * busy primaries') may have its commit record still in WAL buffers past that position, so the barrier passed at once,
 * before the subscriber had received the transaction, and verify reported its buckets as diverged. Seen in CI as
 * {@code VerifyCommandTest} finding every change made just before verify missing on a {@code pgferry sync} target.
 *
 * <p>To hold such a commit record in the buffers for long enough, the publisher's WAL writer gets a 3 s delay and is
 * woken just before the change (a WAL writer that is not hibernating writes an asynchronous commit only at its next
 * round, PostgreSQL docs, "Asynchronous Commit").
 */
@PgTest
@Tag("verify")
class AsyncCommitBarrierTest {

    @Test
    void aChangeCommittedAsynchronouslyJustBeforeVerifyIsWaitedFor(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            pub.execute(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 2000) i");
            r.subscriber.execute("CREATE TABLE items (id int PRIMARY KEY, v text)");
            r.guard("items");
            r.subscribe("items");
            r.settle();
            try {
                pub.execute("ALTER SYSTEM SET wal_writer_delay = '3s'", "SELECT pg_reload_conf()");
                // Wakes the WAL writer (it writes this commit at once), and lets the subscription confirm it: the
                // slot is then at the position written so far.
                r.awaitReplicated();
                NativeReplica.await(() -> pub.queryLong("SELECT count(*) FROM pg_replication_slots"
                                + " WHERE slot_name = 'verify_sub' AND confirmed_flush_lsn >= pg_current_wal_lsn()")
                        == 1);
                try (Connection c = pub.connect();
                        Statement st = c.createStatement()) {
                    st.execute("SET synchronous_commit = off");
                    st.execute("UPDATE items SET v = 'changed' WHERE id % 10 = 0");
                }

                VerifyReport report = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
                assertThat(report.outcome()).as("%s", report.tables()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
                assertThat(r.subscriber.queryLong("SELECT count(*) FROM items WHERE v = 'changed'"))
                        .isEqualTo(200);
            } finally {
                pub.execute("ALTER SYSTEM RESET wal_writer_delay", "SELECT pg_reload_conf()");
            }
        }
    }
}
