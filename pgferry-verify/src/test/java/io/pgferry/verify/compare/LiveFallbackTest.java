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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * --live-fallback-for-dirty: buckets that stay dirty (no worker runs here) are hashed straight from both tables once
 * they are older than the age given, so they count as compared, and a real difference among them is found; younger ones
 * stay skipped. Issue #6.
 */
@PgTest
@Tag("verify")
class LiveFallbackTest {

    @Test
    void longDirtyBucketsAreHashedLive(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            for (TestDatabase db : List.of(pub, sub)) {
                db.execute(
                        "CREATE TABLE t (id int PRIMARY KEY, v text)",
                        "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 4000) i");
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                    Registrations.register(c, "public", "t", null, null);
                }
            }
            Dsn p = Dsn.parse(pub.uri());
            Dsn s = Dsn.parse(sub.uri());
            GuardWorker.drain(List.of(p, s));
            // The same change on both sides, and one on the publisher only; nothing recomputes them.
            pub.execute("UPDATE t SET v = 'both' WHERE id = 10", "UPDATE t SET v = 'pub only' WHERE id = 2500");
            sub.execute("UPDATE t SET v = 'both' WHERE id = 10");

            VerifyOptions base = VerifyOptions.defaults(p, s).withStability(Duration.ofMillis(1), 1);
            VerifyReport without = Verifier.run(base);
            assertThat(without.tables().get(0).skipped()).isEqualTo(2);
            // 3 of 5 buckets compared: below the 80 % minimum, so no verdict, and the warning says why.
            assertThat(without.outcome()).isEqualTo(VerifyReport.Outcome.INCONCLUSIVE);
            assertThat(without.problems()).singleElement().asString().contains("coverage 60.0% is below the minimum");

            VerifyReport with = Verifier.run(live(p, s, Duration.ZERO));
            VerifyReport.TableResult t = with.tables().get(0);
            assertThat(t.live()).isEqualTo(2);
            assertThat(t.skipped()).isZero();
            assertThat(t.divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("2:hash_mismatch");
            assertThat(with.outcome()).isEqualTo(VerifyReport.Outcome.DIVERGED);

            // With an age of ten minutes, only the bucket whose oldest change is older (made so on the publisher
            // alone: either side's age counts) is hashed live; the fresh one stays skipped.
            pub.execute("UPDATE syncguard.dirty_buckets SET dirty_since = dirty_since - interval '1 hour'"
                    + " WHERE bucket_id = 2");
            VerifyReport aged = Verifier.run(live(p, s, Duration.ofMinutes(10)));
            VerifyReport.TableResult a = aged.tables().get(0);
            assertThat(a.live()).isEqualTo(1);
            assertThat(a.skipped()).isEqualTo(1);
            assertThat(a.divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("2:hash_mismatch");
            assertThat(aged.outcome()).as("4 of 5 buckets compared").isEqualTo(VerifyReport.Outcome.DIVERGED);
        }
    }

    /** Stable-watermark with live fallback for buckets dirty for {@code age} or longer. */
    private static VerifyOptions live(Dsn p, Dsn s, Duration age) {
        return new VerifyOptions(
                p,
                s,
                null,
                List.of(),
                ConsistencyMode.STABLE_WATERMARK,
                Duration.ofMillis(1),
                1,
                80,
                age,
                List.of(),
                Duration.ofSeconds(60));
    }
}
