package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardWorker;
import io.pgferry.verify.guard.Registrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * stable-watermark re-reads the catalogs after the stability buffer and leaves out a bucket whose hash moved between
 * the two reads: a change in flight must not be reported as a divergence. The publisher's bucket is recomputed
 * exactly between verify's first and second read: the test holds a lock on the subscriber's catalog, so that the
 * first read has read the publisher and waits on the subscriber while the publisher's bucket moves. Issue #6.
 */
@PgTest
@Tag("verify")
class UnstableBucketTest {
    private static final Duration BUFFER = Duration.ofMillis(500);

    @Test
    void aBucketThatMovesBetweenReadsIsLeftOutNotReported(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            for (TestDatabase db : List.of(pub, sub)) {
                db.execute(
                        "CREATE TABLE t (id int PRIMARY KEY, v text)",
                        "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 1999) i");
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                    Registrations.register(c, "public", "t", 1000L, null);
                }
            }
            Dsn p = Dsn.parse(pub.uri());
            Dsn s = Dsn.parse(sub.uri());
            GuardWorker.drain(List.of(p, s));
            awaitOlderThanBuffer(pub);
            awaitOlderThanBuffer(sub);
            VerifyOptions options = VerifyOptions.defaults(p, s).withStability(BUFFER, 1);

            try (Connection lock = sub.connect();
                    Statement st = lock.createStatement()) {
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE syncguard.bucket_catalog IN ACCESS EXCLUSIVE MODE");
                CompletableFuture<VerifyReport> running = CompletableFuture.supplyAsync(() -> run(options));
                awaitFirstReadBlocked(sub);
                // Verify has the publisher's bucket 1 as it was; it moves now, before the second read.
                pub.execute("UPDATE t SET v = 'in flight' WHERE id = 1500");
                GuardWorker.drain(List.of(p));
                lock.commit();
                VerifyReport report = running.get(60, TimeUnit.SECONDS);
                VerifyReport.TableResult t = report.tables().get(0);
                assertThat(t.divergences()).isEmpty();
                assertThat(t.compared()).isEqualTo(1);
                assertThat(t.skipped()).isEqualTo(1);
                // Half the buckets compared: below the default 80 %, so no verdict rather than a false one.
                assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.INCONCLUSIVE);
            }

            // The bucket really differs now (the change never reached the subscriber): raw mode reports it, so only
            // the re-read kept the first run from calling it a divergence.
            VerifyReport raw = Verifier.run(options.withMode(ConsistencyMode.RAW));
            assertThat(raw.tables().get(0).divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("1:hash_mismatch");
        }
    }

    private static VerifyReport run(VerifyOptions options) {
        try {
            return Verifier.run(options);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitOlderThanBuffer(TestDatabase db) throws SQLException, InterruptedException {
        awaitTrue(
                db,
                "SELECT bool_and(last_computed_at < now() - interval '" + BUFFER.toMillis() + " milliseconds')"
                        + " FROM syncguard.bucket_catalog");
    }

    /** Verify's read of the catalogs (the FULL JOIN of bucket_catalog and dirty_buckets) waits on the lock. */
    private static void awaitFirstReadBlocked(TestDatabase sub) throws SQLException, InterruptedException {
        awaitTrue(
                sub,
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%bucket_catalog%FULL JOIN%'");
    }

    private static void awaitTrue(TestDatabase db, String sql) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not met within 30 s: " + sql);
                }
                Thread.sleep(10); // polling interval of a deadline loop, not a synchronisation by time
            }
        }
    }
}
