package io.pgferry.verify.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.verify.compare.ConsistencyMode;
import io.pgferry.verify.compare.NativeReplica;
import io.pgferry.verify.compare.Verifier;
import io.pgferry.verify.compare.VerifyReport;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * inspect and repair on a native replica: exactly the rows changed, deleted and added behind replication's back,
 * the plan that fixes them (generated and identity columns respected), applied in one transaction, and verify clean
 * afterwards. Issue #6.
 */
@PgTest
@Tag("verify")
class InspectRepairTest {

    @Test
    void inspectListsExactlyTheTouchedRowsAndRepairFixesThem(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            String ddl = "CREATE TABLE acct (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner text,"
                    + " cents bigint, doubled bigint GENERATED ALWAYS AS (cents * 2) STORED, seen timestamptz,"
                    + " \"Odd \"\"Name\" text)";
            pub.execute(
                    ddl,
                    "INSERT INTO acct (owner, cents, seen, \"Odd \"\"Name\") SELECT 'o' || i, i * 100,"
                            + " timestamptz '2026-03-01 10:00+01' + i * interval '1 h', 'it''s ' || i"
                            + " FROM generate_series(1, 2500) i");
            r.subscriber.execute(ddl);
            r.guard("acct");
            r.subscribe("acct");
            r.settle();
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("UPDATE acct SET cents = 1, \"Odd \"\"Name\" = NULL WHERE id = 1001");
                st.execute("DELETE FROM acct WHERE id = 1002");
                st.execute("DELETE FROM acct WHERE id = 1999");
                st.execute("INSERT INTO acct (id, owner, cents) OVERRIDING SYSTEM VALUE VALUES (-3, 'extra', 5)");
            }
            r.settle();
            VerifyReport report = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(report.tables().get(0).divergences())
                    .extracting(d -> d.bucketId() + ":" + d.status().wireName())
                    .containsExactly("-1:missing_on_publisher", "1:count_mismatch");

            BucketInspector.Inspection one =
                    BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "acct", 1);
            assertThat(one.bounds()).isEqualTo("id 1000..1999");
            assertThat(one.rows())
                    .extracting(d -> d.key().get("id") + ":" + d.kind().wireName())
                    .containsExactly("1001:changed", "1002:missing_on_subscriber", "1999:missing_on_subscriber");
            assertThat(one.rows().get(0).columns()).containsExactly("Odd \"Name", "cents", "doubled");
            assertThat(one.plan()).hasSize(3);
            assertThat(one.plan().get(0))
                    .startsWith("INSERT INTO public.acct (\"Odd \"\"Name\", \"cents\", \"id\", \"owner\", \"seen\")"
                            + " OVERRIDING SYSTEM VALUE VALUES ('it''s 1001'::text, '100100'::bigint, '1001'::integer")
                    .contains("ON CONFLICT (\"id\") DO UPDATE SET")
                    .doesNotContain("\"doubled\" =");

            BucketInspector.Inspection extra =
                    BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "acct", -1);
            assertThat(extra.plan()).containsExactly("DELETE FROM public.acct WHERE \"id\" = '-3'::integer");

            BucketInspector.Repair dry =
                    BucketInspector.repair(r.publisherDsn(), r.subscriberDsn(), "public", "acct", 1, true);
            assertThat(dry.applied()).isFalse();
            assertThat(r.subscriber.queryLong("SELECT cents FROM acct WHERE id = 1001"))
                    .isEqualTo(1);

            for (long bucket : List.of(1L, -1L)) {
                BucketInspector.Repair done =
                        BucketInspector.repair(r.publisherDsn(), r.subscriberDsn(), "public", "acct", bucket, false);
                assertThat(done.applied()).isTrue();
            }
            assertThat(BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "acct", 1)
                            .rows())
                    .isEmpty();
            r.settle();
            VerifyReport after = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            assertThat(after.outcome()).isEqualTo(VerifyReport.Outcome.IN_SYNC);
            assertThat(r.subscriber.queryString("SELECT seen FROM acct WHERE id = 1999"))
                    .isEqualTo(r.publisher.queryString("SELECT seen FROM acct WHERE id = 1999"));
        }
    }

    /**
     * Issue 6's audit: the hash layout's branch of inspect and repair (a composite uuid and text key) was never run.
     * Every divergent bucket is inspected and repaired, and verify is clean afterwards.
     */
    @Test
    void inspectAndRepairWorkOnAHashBucketedCompositeKey(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            String ddl = "CREATE TABLE ev (tenant uuid, \"Code\" text, n int, PRIMARY KEY (tenant, \"Code\"))";
            pub.execute(
                    ddl,
                    "INSERT INTO ev SELECT ('00000000-0000-0000-0000-' || lpad((i % 7)::text, 12, '0'))::uuid,"
                            + " 'c' || i, i FROM generate_series(1, 2000) i");
            r.subscriber.execute(ddl);
            r.guard("ev");
            r.subscribe("ev");
            r.settle();
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("UPDATE ev SET n = -1 WHERE \"Code\" = 'c10'");
                st.execute("DELETE FROM ev WHERE \"Code\" = 'c20'");
                st.execute("INSERT INTO ev VALUES ('00000000-0000-0000-0000-000000000009', 'x''tra', 5)");
            }
            r.settle();
            VerifyReport report = Verifier.run(r.options(ConsistencyMode.LSN_BARRIER));
            List<Long> buckets = report.tables().get(0).divergences().stream()
                    .map(d -> d.bucketId())
                    .toList();
            assertThat(buckets).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            List<String> found = new java.util.ArrayList<>();
            for (long bucket : buckets) {
                BucketInspector.Inspection i =
                        BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "ev", bucket);
                assertThat(i.layout()).startsWith("key hash into");
                i.rows()
                        .forEach(d ->
                                found.add(d.key().get("Code") + ":" + d.kind().wireName()));
                assertThat(BucketInspector.repair(r.publisherDsn(), r.subscriberDsn(), "public", "ev", bucket, false)
                                .applied())
                        .isTrue();
            }
            assertThat(found)
                    .containsExactlyInAnyOrder(
                            "c10:changed", "c20:missing_on_subscriber", "x'tra:missing_on_publisher");
            r.settle();
            assertThat(Verifier.run(r.options(ConsistencyMode.LSN_BARRIER)).outcome())
                    .isEqualTo(VerifyReport.Outcome.IN_SYNC);
            assertThat(r.subscriber.queryLong("SELECT n FROM ev WHERE \"Code\" = 'c10'"))
                    .isEqualTo(10);
        }
    }

    /**
     * A repair is one transaction: when one statement of the plan fails (here an always-enabled trigger of the
     * subscriber's refuses the update), the statements before it are rolled back, the error names the table and
     * bucket, and the repair succeeds once the obstacle is gone. Issue #6.
     */
    @Test
    void aRepairThatFailsHalfWayChangesNothing(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            pub.execute(ddl, "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 100) i");
            r.subscriber.execute(ddl);
            r.guard("t");
            r.subscribe("t");
            r.settle();
            try (Connection c = r.subscriber.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("DELETE FROM t WHERE id = 10");
                st.execute("UPDATE t SET v = 'drifted' WHERE id = 20");
            }
            r.subscriber.execute(
                    "CREATE FUNCTION no_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF OLD.id = 20 THEN RAISE EXCEPTION 'updates of row 20 are refused'; END IF;"
                            + " RETURN NEW; END $$",
                    "CREATE TRIGGER no_update BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION no_update()",
                    "ALTER TABLE t ENABLE ALWAYS TRIGGER no_update");
            r.settle();
            BucketInspector.Inspection i =
                    BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "t", 0);
            assertThat(i.rows())
                    .extracting(d -> d.key().get("id") + ":" + d.kind().wireName())
                    .containsExactly("10:missing_on_subscriber", "20:changed");

            assertThatThrownBy(
                            () -> BucketInspector.repair(r.publisherDsn(), r.subscriberDsn(), "public", "t", 0, false))
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem())
                                .contains("the repair of public.t bucket 0 failed on the subscriber and was rolled"
                                        + " back")
                                .contains("updates of row 20 are refused")
                                .doesNotContain("drifted");
                        assertThat(e.fix()).contains("then repair again");
                    });
            assertThat(r.subscriber.queryLong("SELECT count(*) FROM t WHERE id = 10"))
                    .as("the insert before the failed update was rolled back")
                    .isZero();
            assertThat(r.subscriber.queryString("SELECT v FROM t WHERE id = 20"))
                    .isEqualTo("drifted");

            r.subscriber.execute("DROP TRIGGER no_update ON t");
            assertThat(BucketInspector.repair(r.publisherDsn(), r.subscriberDsn(), "public", "t", 0, false)
                            .applied())
                    .isTrue();
            assertThat(r.subscriber.queryString("SELECT string_agg(v, ',' ORDER BY id) FROM t WHERE id IN (10, 20)"))
                    .isEqualTo("v10,v20");
        }
    }

    @Test
    void anUnregisteredTableIsAClearError(TestDatabase pub) throws Exception {
        try (NativeReplica r = new NativeReplica(pub)) {
            pub.execute("CREATE TABLE t (id int PRIMARY KEY)");
            r.subscriber.execute("CREATE TABLE t (id int PRIMARY KEY)");
            r.guard();
            assertThatThrownBy(() -> BucketInspector.inspect(r.publisherDsn(), r.subscriberDsn(), "public", "t", 0))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("public.t is not registered")
                    .hasMessageContaining("on the publisher");
        }
    }
}
