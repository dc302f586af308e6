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
 * Regression, issue #6: a subscriber whose rows 1 and 2 had swapped a column's values verified clean. A row hash
 * combines its columns linearly, and the bucket hash was the plain sum of row hashes, which depends only on each
 * column's values in the bucket, not on which row holds them. Row hashes are now mixed before they are summed
 * ({@code RowHashes}). Both a range layout (integer key) and a hash layout (text key) are checked.
 */
@PgTest
@Tag("verify")
class SwappedValuesTest {

    @Test
    void twoRowsThatSwappedAColumnsValuesAreADivergence(TestDatabase pub) throws Exception {
        String[] tables = {
            "CREATE TABLE r (id int PRIMARY KEY, v text, n int)",
            "INSERT INTO r SELECT i, 'value ' || i, i * 10 FROM generate_series(1, 50) i",
            "CREATE TABLE h (k text PRIMARY KEY, v text)",
            "INSERT INTO h SELECT 'key ' || i, 'value ' || i FROM generate_series(1, 50) i",
        };
        try (TestDatabase sub = TestDatabase.create(PostgresServer.second())) {
            pub.execute(tables);
            sub.execute(tables);
            sub.execute(
                    "UPDATE r SET v = CASE id WHEN 1 THEN 'value 2' ELSE 'value 1' END WHERE id IN (1, 2)",
                    "UPDATE h SET v = CASE k WHEN 'key 1' THEN 'value 2' ELSE 'value 1' END"
                            + " WHERE k IN ('key 1', 'key 2')");
            for (TestDatabase db : List.of(pub, sub)) {
                try (Connection c = db.connect()) {
                    GuardSchema.install(c);
                    Registrations.register(c, "public", "r", null, null);
                    // One bucket for all 50 keys, so that both rows of the swap share it.
                    Registrations.register(c, "public", "h", null, 1);
                }
            }
            GuardWorker.drain(List.of(Dsn.parse(pub.uri()), Dsn.parse(sub.uri())));

            VerifyReport report = Verifier.run(VerifyOptions.defaults(Dsn.parse(pub.uri()), Dsn.parse(sub.uri()))
                    .withMode(ConsistencyMode.STABLE_WATERMARK)
                    .withStability(Duration.ofMillis(1), 1));

            assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.DIVERGED);
            assertThat(report.tables())
                    .extracting(t -> t.table() + ":" + t.divergences().size())
                    .containsExactlyInAnyOrder("h:1", "r:1");
        }
    }
}
