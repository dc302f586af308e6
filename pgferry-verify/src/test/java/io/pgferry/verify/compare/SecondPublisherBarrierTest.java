package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 6), lsn-barrier without a slot name: the barrier waited for every subscription of the subscriber
 * database, also one reading from another publisher, whose slot the verified publisher does not have, so it timed out
 * and the run was inconclusive. Only the slots of the publisher's database count.
 */
@PgTest
@Tag("verify")
class SecondPublisherBarrierTest {

    @Test
    void aSubscriptionToAnotherPublisherDoesNotHoldTheBarrier(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            for (TestDatabase db : java.util.List.of(r.publisher, r.subscriber)) {
                db.execute("CREATE TABLE items (id int PRIMARY KEY, v text)");
            }
            r.guard("items");
            r.subscribe("items");
            pub.execute("INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 500) i");
            // A second publisher, elsewhere: its subscription is enabled, with a slot the verified publisher lacks.
            r.subscriber.execute(
                    "CREATE SUBSCRIPTION elsewhere CONNECTION 'host=127.0.0.1 port=1 dbname=other connect_timeout=1'"
                            + " PUBLICATION other WITH (connect = false, slot_name = 'elsewhere_slot')",
                    "ALTER SUBSCRIPTION elsewhere ENABLE");
            try {
                r.settle();
                VerifyReport report =
                        Verifier.run(r.options(ConsistencyMode.LSN_BARRIER).withBarrierTimeout(Duration.ofSeconds(20)));
                assertThat(report.problems()).isEmpty();
                assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
            } finally {
                r.subscriber.execute(
                        "ALTER SUBSCRIPTION elsewhere DISABLE",
                        "ALTER SUBSCRIPTION elsewhere SET (slot_name = NONE)",
                        "DROP SUBSCRIPTION elsewhere");
            }
        }
    }
}
