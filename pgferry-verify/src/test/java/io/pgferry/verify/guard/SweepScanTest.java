package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the server runs a sweep's bucket scan. Regression (issue 6): the planner, taking one bucket per row, sorted
 * every row of a block range on disk to group a few hundred buckets, and compiled the scan with JIT; a full sweep took
 * 13 times a count(*) of the table, where hashing into a small table and no JIT take about a third less.
 */
@PgTest
class SweepScanTest {
    @Test
    void bucketsAreGroupedInAHashTableWithoutSortingOrJit(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id bigint PRIMARY KEY, n int, v text, ts timestamptz, amount numeric)",
                "INSERT INTO t SELECT i, i % 1000, md5(i::text) || md5((i + 1)::text), '2020-01-01'::timestamptz"
                        + " + i * interval '1 second', (i % 100000) / 100.0 FROM generate_series(1, 300000) i",
                "ANALYZE t");
        String query = RowHashes.grouped("SELECT (CASE WHEN r.id >= 0 THEN r.id / 1000 ELSE (r.id + 1) / 1000 - 1"
                + " END) AS g, pg_catalog.hashtextextended(r.v, 1) # pg_catalog.hash_numeric_extended(r.amount, 2)"
                + " # pg_catalog.hashint4extended(r.n, 3) # pg_catalog.hashint8extended(r.id, 4)"
                + " # pg_catalog.timestamp_hash_extended(pg_catalog.timezone('UTC', r.ts), 5) AS h FROM public.t r"
                + " WHERE r.ctid >= '(0,0)'::tid");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThat(plan(c, query)).as("the planner's own choice").anyMatch(l -> l.contains("Sort"));
            RowHashes.planGrouping(c, true);
            List<String> plan = plan(c, query);
            assertThat(plan).anyMatch(l -> l.contains("HashAggregate")).noneMatch(l -> l.contains("Sort"));
            assertThat(Rows.of(c, "SHOW jit")).containsExactly("off");
            c.commit();
            assertThat(plan(c, query)).as("set for the transaction only").anyMatch(l -> l.contains("Sort"));
        }
    }

    private static List<String> plan(Connection c, String query) throws Exception {
        return Rows.of(c, "EXPLAIN " + query);
    }
}
