package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.guard.GuardWorker;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #6, lsn-barrier: the barrier took the subscription slot's confirmed position as the subscriber's progress,
 * but a table still in its initial copy is applied by a table sync worker from a slot of its own, so the slot
 * confirmed positions whose changes to that table were not in yet. The barrier must wait for the copy to finish
 * (and say so when it does not).
 */
@PgTest
@Tag("verify")
class InitialCopyBarrierTest {

    @Test
    void lsnBarrierWaitsForTablesStillInTheirInitialCopy(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            pub.execute(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 2000) i");
            r.subscriber.execute("CREATE TABLE items (id int PRIMARY KEY, v text)");
            r.guard("items");
            r.createDisabledSubscription("items");
            // Both sides swept now: verify brings the catalogs current first, which must not read the locked table.
            GuardWorker.drain(List.of(r.publisherDsn(), r.subscriberDsn()));
            try (Connection hold = r.subscriber.connect()) {
                // The table sync worker's COPY waits on this lock, so the table stays in its initial copy.
                hold.setAutoCommit(false);
                try (Statement st = hold.createStatement()) {
                    st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
                }
                r.enableSubscription();
                NativeReplica.await(() -> r.subscriber.queryLong("SELECT count(*) FROM pg_subscription_rel"
                                + " WHERE srrelid = 'items'::regclass AND srsubstate = 'd'")
                        == 1);
                VerifyReport waiting =
                        Verifier.run(r.options(ConsistencyMode.LSN_BARRIER).withBarrierTimeout(Duration.ofSeconds(2)));
                assertThat(waiting.outcome()).isNotEqualTo(VerifyReport.Outcome.IN_SYNC);
                assertThat(waiting.problems())
                        .anySatisfy(p -> assertThat(p).contains("items").contains("still in their initial copy"));
                hold.rollback();
            }
            r.awaitReady(1);
            r.settle();
            VerifyReport clean = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(clean.problems()).isEmpty();
            assertThat(clean.outcome()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
        }
    }
}
