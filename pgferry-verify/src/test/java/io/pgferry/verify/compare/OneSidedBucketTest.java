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
 * Issue #6, defect 6: a bucket present on one side only was "skipped" in the default mode and the run passed. Here
 * it is a divergence in every mode, and coverage counts it.
 */
@PgTest
@Tag("verify")
class OneSidedBucketTest {

    @Test
    void aBucketOnOneSideOnlyIsADivergenceInTheDefaultMode(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            pub.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 2500)");
            sub.execute(
                    "CREATE TABLE t (id int PRIMARY KEY)",
                    "INSERT INTO t SELECT generate_series(1, 999)",
                    "INSERT INTO t VALUES (-5)");
            for (TestDatabase db : List.of(pub, sub)) {
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                    Registrations.register(c, "public", "t", null, null);
                }
            }
            GuardWorker.drain(List.of(Dsn.parse(pub.uri()), Dsn.parse(sub.uri())));
            for (ConsistencyMode mode : List.of(ConsistencyMode.STABLE_WATERMARK, ConsistencyMode.RAW)) {
                VerifyReport r = Verifier.run(VerifyOptions.defaults(Dsn.parse(pub.uri()), Dsn.parse(sub.uri()))
                        .withMode(mode)
                        .withStability(Duration.ofMillis(1), 1));
                assertThat(r.outcome()).as(mode.wireName()).isEqualTo(VerifyReport.Outcome.DIVERGED);
                assertThat(r.tables().get(0).divergences())
                        .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                        .containsExactly(
                                "-1:missing_on_publisher", "1:missing_on_subscriber", "2:missing_on_subscriber");
                assertThat(r.coveragePct()).isEqualTo(100.0);
            }
        }
    }

    /**
     * Regression (issue 6): a schema filter that matched no table (a typo), or no registered table at all, compared
     * nothing and reported "in sync" with 100 % coverage. Nothing compared is inconclusive, with the reason.
     */
    @Test
    void aRunThatComparesNothingIsInconclusive(TestDatabase pub) throws Exception {
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            for (TestDatabase db : List.of(pub, sub)) {
                db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 10)");
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                }
            }
            VerifyOptions none = VerifyOptions.defaults(Dsn.parse(pub.uri()), Dsn.parse(sub.uri()))
                    .withStability(Duration.ofMillis(1), 1);
            VerifyReport unregistered = Verifier.run(none);
            assertThat(unregistered.outcome()).isEqualTo(VerifyReport.Outcome.INCONCLUSIVE);
            assertThat(unregistered.problems()).singleElement().asString().contains("nothing was compared");

            for (TestDatabase db : List.of(pub, sub)) {
                try (Connection c = db.connect()) {
                    Registrations.register(c, "public", "t", null, null);
                }
            }
            GuardWorker.drain(List.of(Dsn.parse(pub.uri()), Dsn.parse(sub.uri())));
            VerifyReport registered = Verifier.run(none);
            assertThat(registered.outcome())
                    .as(registered.problems().toString())
                    .isEqualTo(VerifyReport.Outcome.IN_SYNC);
            VerifyReport typo = Verifier.run(none.withTables("pubilc", List.of()));
            assertThat(typo.outcome()).isEqualTo(VerifyReport.Outcome.INCONCLUSIVE);
            assertThat(typo.problems())
                    .singleElement()
                    .asString()
                    .contains("in schema pubilc")
                    .contains("nothing was compared");
        }
    }
}
