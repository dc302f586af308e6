package io.pgferry.verify.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.compare.BucketStatus;
import io.pgferry.verify.compare.ConsistencyMode;
import io.pgferry.verify.compare.VerifyReport;
import io.pgferry.verify.guard.GuardSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane in both of its homes, a SQLite file and a PostgreSQL database (there sharing the syncguard schema
 * with an installed guard): runs recorded, divergences moved through their states, resolution limited to the two
 * sides that found them. Issue #6.
 */
@PgTest
@Tag("verify")
class ControlPlaneTest {

    @TempDir
    Path dir;

    @Test
    void sqliteFile() {
        try (ControlPlane c = ControlPlane.sqlite(dir.resolve("nested/control-plane.sqlite"))) {
            exercise(c);
        }
    }

    @Test
    void postgresSharingTheSchemaWithTheGuard(TestDatabase db) throws Exception {
        try (ControlPlane c = ControlPlane.postgres(Dsn.parse(db.uri()))) {
            exercise(c);
        }
        try (Connection conn = db.connect()) {
            GuardSchema.install(conn); // next to the control plane's tables
            assertThat(GuardSchema.installedVersion(conn)).isPresent();
            GuardSchema.uninstall(conn); // keeps the history
        }
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.validation_runs"))
                .isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'syncguard'"))
                .isEqualTo(2);
    }

    private static void exercise(ControlPlane c) {
        VerifyReport diverged = report(
                VerifyReport.Outcome.DIVERGED,
                List.of(
                        new VerifyReport.Divergence(2, BucketStatus.HASH_MISMATCH, 1000L, 1000L),
                        new VerifyReport.Divergence(7, BucketStatus.MISSING_ON_SUBSCRIBER, 12L, null)));
        String first = c.record(diverged, "shop@primary:5432", "shop@replica:5432");
        String other = c.record(diverged, "shop@primary:5432", "shop@another:5432");
        assertThat(c.runs(10)).extracting(ControlPlane.Run::runId).containsExactlyInAnyOrder(first, other);
        assertThat(c.run(first.substring(0, 8))).map(ControlPlane.Run::outcome).hasValue("diverged");

        List<ControlPlane.Divergence> logged = c.divergences(first);
        assertThat(logged)
                .extracting(d -> d.bucketId() + ":" + d.status() + ":" + d.state() + ":" + d.subscriberRows())
                .containsExactly("2:hash_mismatch:open:1000", "7:missing_on_subscriber:open:null");

        // A repair between primary and replica resolves their divergence of bucket 2, not another pair's.
        assertThat(c.resolve("shop@primary:5432", "shop@replica:5432", "public", "orders", 2, "repaired"))
                .isEqualTo(1);
        assertThat(c.divergences(first).get(0).state()).isEqualTo("resolved");
        assertThat(c.divergences(first).get(0).resolvedAt()).isNotNull();
        assertThat(c.divergences(other).get(0).state()).isEqualTo("open");

        long bucket7 = logged.get(1).divergenceId();
        assertThat(c.mark(bucket7, "ignored", "known gap")).isTrue();
        assertThat(c.divergences(first).get(1).state()).isEqualTo("ignored");
        assertThat(c.divergences(first).get(1).note()).isEqualTo("known gap");
        assertThat(c.mark(999_999, "reviewed", null)).isFalse();

        // Reviewed, then resolved by a repair: the review's time stays, the resolution's is added.
        ControlPlane.Divergence otherBucket2 = c.divergences(other).get(0);
        assertThat(c.mark(otherBucket2.divergenceId(), "reviewed", "looking")).isTrue();
        ControlPlane.Divergence reviewed = c.divergences(other).get(0);
        assertThat(reviewed.state()).isEqualTo("reviewed");
        assertThat(reviewed.reviewedAt()).isNotNull();
        assertThat(reviewed.resolvedAt()).isNull();
        assertThat(c.resolve("shop@primary:5432", "shop@another:5432", "public", "orders", 2, "repaired"))
                .isEqualTo(1);
        ControlPlane.Divergence resolved = c.divergences(other).get(0);
        assertThat(resolved.state()).isEqualTo("resolved");
        assertThat(resolved.reviewedAt()).isEqualTo(reviewed.reviewedAt());
        assertThat(resolved.resolvedAt()).isNotNull();
        assertThat(resolved.note()).isEqualTo("repaired");
        // An ignored divergence stays ignored when its bucket is repaired.
        assertThat(c.resolve("shop@primary:5432", "shop@replica:5432", "public", "orders", 7, "repaired"))
                .isZero();
        assertThat(c.divergences(first).get(1).state()).isEqualTo("ignored");
    }

    private static VerifyReport report(VerifyReport.Outcome outcome, List<VerifyReport.Divergence> divergences) {
        return new VerifyReport(
                ConsistencyMode.LSN_BARRIER,
                Instant.parse("2026-11-22T10:00:00Z"),
                Instant.parse("2026-11-22T10:00:01.5Z"),
                outcome,
                100.0,
                80.0,
                List.of(new VerifyReport.TableResult(
                        "public", "orders", "key range of 1000", 10, 10, 0, 0, divergences, List.of())),
                List.of());
    }
}
