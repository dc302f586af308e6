package io.pgferry.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Verify against a native logical replica: clean after replication, then exactly the buckets touched behind
 * replication's back, in every consistency mode. The subscriber's tables list their columns in another order and its
 * database has other TimeZone, IntervalStyle, DateStyle and extra_float_digits defaults (issue #6, defect 4: these
 * changed the seed's hash), which a timestamptz array, hashed in its text form, depends on; its triggers fire in the
 * apply worker (row level) and in the initial table sync (statement level).
 */
@PgTest
@Tag("verify")
class NativeSubscriptionVerifyTest {

    @Test
    void cleanReplicaThenEveryKindOfDivergence(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            pub.execute(
                    "CREATE TABLE items (id int PRIMARY KEY, v text, f float8, ts timestamptz, span interval,"
                            + " stamps timestamptz[], fs float8[], spans interval[])",
                    "CREATE TABLE docs (id uuid PRIMARY KEY, body text)",
                    "CREATE TABLE lines (a int, b text, n numeric, PRIMARY KEY (a, b))",
                    "INSERT INTO items SELECT i, md5(i::text), i / 3.0, timestamptz '2026-01-01 00:00+00' + i * interval"
                            + " '1 min', i * interval '1 s', ARRAY[timestamptz '2026-01-01 00:00+00' + i * interval '1 h',"
                            + " NULL], ARRAY[i / 3.0, -i / 7.0]::float8[], ARRAY[i * interval '1.5 s']"
                            + " FROM generate_series(1, 5000) i",
                    "INSERT INTO docs SELECT md5(i::text)::uuid, repeat('x', i % 50) FROM generate_series(1, 800) i",
                    "INSERT INTO lines SELECT i % 10, 'b' || i, i * 1.5 FROM generate_series(1, 600) i");
            r.subscriber.execute(
                    "CREATE TABLE items (spans interval[], fs float8[], stamps timestamptz[], span interval,"
                            + " ts timestamptz, f float8, v text, id int PRIMARY KEY)",
                    "CREATE TABLE docs (body text, id uuid PRIMARY KEY)",
                    "CREATE TABLE lines (n numeric, b text, a int, PRIMARY KEY (a, b))",
                    "ALTER DATABASE " + r.subscriber.name() + " SET TimeZone = 'Asia/Kolkata'",
                    "ALTER DATABASE " + r.subscriber.name() + " SET extra_float_digits = 0",
                    "ALTER DATABASE " + r.subscriber.name() + " SET IntervalStyle = 'iso_8601'",
                    "ALTER DATABASE " + r.subscriber.name() + " SET DateStyle = 'SQL, DMY'");
            r.guard("items", "docs", "lines");
            r.subscribe("items", "docs", "lines");
            pub.execute(
                    "UPDATE items SET v = 'changed', f = f * 2 WHERE id % 50 = 0",
                    "DELETE FROM items WHERE id BETWEEN 4000 AND 4100",
                    "INSERT INTO items VALUES (-7, 'negative', 0.1, now(), '1 day', ARRAY[now()], ARRAY[0.1],"
                            + " ARRAY[interval '1 day 2 h'])",
                    "UPDATE docs SET body = 'edited' WHERE body = ''",
                    "DELETE FROM lines WHERE a = 3");
            r.settle();

            for (ConsistencyMode mode : ConsistencyMode.values()) {
                VerifyReport clean = Verifier.run(r.options(mode));
                assertThat(clean.problems()).as(mode.wireName()).isEmpty();
                assertThat(clean.outcome()).as(mode.wireName()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
                assertThat(clean.coveragePct())
                        .as(mode.wireName() + clean.tables())
                        .isEqualTo(100.0);
            }

            long itemBucket = Math.floorDiv(1234, 1000);
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("UPDATE items SET v = 'tampered' WHERE id = 1234");
                st.execute("DELETE FROM docs WHERE id = md5('77')::uuid");
                st.execute("INSERT INTO lines VALUES (99.5, 'extra', 42)");
            }
            long docBucket = r.publisher.queryLong(
                    "SELECT (((hash_record_extended(ROW(md5('77')::uuid), 0) % 1024) + 1024) % 1024)");
            long lineBucket = r.publisher.queryLong(
                    "SELECT (((hash_record_extended(ROW(42, 'extra'::text), 0) % 1024) + 1024) % 1024)");

            VerifyReport diverged = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(diverged.outcome()).isEqualTo(VerifyReport.Outcome.DIVERGED);
            assertThat(divergences(diverged, "items")).containsExactly(itemBucket + ":hash_mismatch");
            long docNeighbours =
                    r.publisher.queryLong("SELECT count(*) FROM docs WHERE (((hash_record_extended(ROW(id),"
                            + " 0) % 1024) + 1024) % 1024) = " + docBucket);
            assertThat(divergences(diverged, "docs"))
                    .containsExactly(docBucket + (docNeighbours > 1 ? ":count_mismatch" : ":missing_on_subscriber"));
            assertThat(divergences(diverged, "lines"))
                    .containsExactly(lineBucket
                            + (lineHasOtherRows(r, lineBucket) ? ":count_mismatch" : ":missing_on_publisher"));

            r.settle();
            VerifyReport watermark = Verifier.run(new VerifyOptions(
                    r.publisherDsn(),
                    r.subscriberDsn(),
                    null,
                    List.of(),
                    ConsistencyMode.STABLE_WATERMARK,
                    Duration.ofMillis(1),
                    1,
                    80,
                    null,
                    List.of(),
                    Duration.ofSeconds(60)));
            assertThat(watermark.outcome()).isEqualTo(VerifyReport.Outcome.DIVERGED);
            assertThat(watermark.divergenceCount()).isEqualTo(3);

            // The table filter limits the run to one table.
            VerifyReport one = Verifier.run(r.options(ConsistencyMode.RAW).withTables("public", List.of("items")));
            assertThat(one.tables()).extracting(VerifyReport.TableResult::table).containsExactly("items");
            assertThat(one.divergenceCount()).isEqualTo(1);
        }
    }

    private static boolean lineHasOtherRows(NativeReplica r, long bucket) throws Exception {
        return r.publisher.queryLong("SELECT count(*) FROM lines WHERE (((hash_record_extended(ROW(a, b), 0) % 1024)"
                        + " + 1024) % 1024) = " + bucket)
                > 0;
    }

    private static List<String> divergences(VerifyReport report, String table) {
        return report.tables().stream()
                .filter(t -> t.table().equals(table))
                .flatMap(t -> t.divergences().stream())
                .map(d -> d.bucketId() + ":" + d.status().wireName())
                .toList();
    }

    /**
     * Issue 6's audit: TRUNCATE was tested on one database only. A TRUNCATE replicated to the subscriber (applied by
     * its apply worker) must mark the subscriber's buckets dirty as it does the publisher's, so that verify is clean
     * after it, and finds a row inserted behind replication's back afterwards.
     */
    @Test
    void aReplicatedTruncateIsTrackedOnTheSubscriber(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            pub.execute(ddl, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
            r.subscriber.execute(ddl);
            r.guard("t");
            r.subscribe("t");
            r.settle();
            assertThat(Verifier.run(r.options(ConsistencyMode.LSN_BARRIER)).outcome())
                    .isEqualTo(VerifyReport.Outcome.IN_SYNC);
            pub.execute("TRUNCATE t", "INSERT INTO t SELECT i, 'w' || i FROM generate_series(1, 500) i");
            r.settle();
            assertThat(r.subscriber.queryLong("SELECT count(*) FROM t")).isEqualTo(500);
            VerifyReport after = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(after.outcome()).as(after.tables().toString()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("INSERT INTO t VALUES (2500, 'behind')");
            }
            VerifyReport diverged = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(diverged.tables().get(0).divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("2:missing_on_publisher");
        }
    }
}
