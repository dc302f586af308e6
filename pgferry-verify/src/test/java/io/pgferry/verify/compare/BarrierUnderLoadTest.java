package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * lsn-barrier while the publisher keeps writing to its hot buckets, with one real divergence (a row deleted on the
 * subscriber) in a bucket the writes never touch: each run reports that divergence and no other, the buckets that
 * never held still being left out rather than called diverged; once the writes stop every bucket is compared. Issue
 * #6: "a mismatch under this mode is a real divergence, not a change in flight".
 */
@PgTest
@Tag("verify")
class BarrierUnderLoadTest {

    @Test
    void onlyTheRealDivergenceIsReportedWhileChangesAreInFlight(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            pub.execute(
                    "CREATE TABLE hot (id int PRIMARY KEY, n bigint, v text)",
                    "INSERT INTO hot SELECT i, 0, md5(i::text) FROM generate_series(1, 5000) i");
            r.subscriber.execute("CREATE TABLE hot (id int PRIMARY KEY, n bigint, v text)");
            r.guard("hot");
            r.subscribe("hot");
            pub.execute("INSERT INTO hot SELECT i, 0, 'cold' FROM generate_series(1000001, 1000100) i");
            r.settle();
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("DELETE FROM hot WHERE id = 1000050");
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong transactions = new AtomicLong();
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<?> writes = writer.submit(() -> {
                try (Connection c = pub.connect();
                        Statement st = c.createStatement()) {
                    while (writing.get()) {
                        int id = 1 + ThreadLocalRandom.current().nextInt(5000);
                        st.execute("UPDATE hot SET n = n + 1, v = md5(random()::text) WHERE id IN (" + id + ", "
                                + (1 + (id + 2500) % 5000) + ")");
                        if (id % 7 == 0) {
                            st.execute("INSERT INTO hot VALUES (" + (10000 + transactions.get()) + ", 0, 'new')");
                        }
                        transactions.incrementAndGet();
                    }
                }
                return null;
            });
            try {
                for (int run = 0; run < 3; run++) {
                    long before = transactions.get();
                    VerifyReport report = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
                    assertThat(report.outcome())
                            .as("run %d under load: %s", run, report.tables())
                            .isEqualTo(VerifyReport.Outcome.DIVERGED);
                    assertThat(report.tables().get(0).divergences())
                            .as("only the real divergence, in the cold bucket")
                            .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                            .containsExactly("1000:count_mismatch");
                    assertThat(transactions.get())
                            .as("the writes went on during the run")
                            .isGreaterThan(before);
                }
            } finally {
                writing.set(false);
                writes.get();
                writer.shutdown();
            }
            r.settle();
            VerifyReport quiet = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(quiet.outcome()).as("%s", quiet.tables()).isEqualTo(VerifyReport.Outcome.DIVERGED);
            assertThat(quiet.tables().get(0).divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("1000:count_mismatch");
            assertThat(quiet.tables().get(0).skipped())
                    .as("every bucket compared once the writes stop")
                    .isZero();
        }
    }
}
