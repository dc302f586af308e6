package io.pgferry.verify.guard;

import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The full scan of a sweep: the count and hash of every bucket of a table. A large ordinary table is cut into block
 * ranges read by {@code jobs} connections at once (TID range scans, PostgreSQL 14 and later), whose per-bucket sums
 * add up, modulo 2^64, to those of one scan; a small or partitioned table is one grouped query on the caller's
 * connection. Helper connections only read; the caller's transaction holds the sweep's locks.
 */
final class SweepScan {
    /** Below this many blocks (16 MB) one query is faster than starting helpers. */
    private static final long MIN_PARALLEL_BLOCKS = 2048;
    /** Block ranges per helper: enough for the helpers to finish together when ranges differ in cost. */
    private static final int RANGES_PER_JOB = 4;

    private final Dsn dsn;
    private final int jobs;

    /** @param dsn where helper connections go; null for no helpers */
    SweepScan(Dsn dsn, int jobs) {
        this.dsn = dsn;
        this.jobs = dsn == null ? 1 : Math.max(1, jobs);
    }

    /** (bucket, count, hash) of every non-empty bucket, in bucket order; {@code c} is in a transaction. */
    List<long[]> buckets(Connection c, GuardedTable t) throws SQLException {
        RowHashes.planGrouping(c, true);
        String inner = "SELECT " + t.bucketExpression() + " AS g, " + t.rowHashExpression() + " AS h FROM "
                + t.relation() + " r";
        long blocks = jobs > 1 ? blocks(c, t) : -1;
        Map<Long, long[]> sums = new TreeMap<>();
        if (blocks < MIN_PARALLEL_BLOCKS) {
            add(c, RowHashes.grouped(inner), sums);
        } else {
            parallel(inner, blocks, sums);
        }
        return new ArrayList<>(sums.values());
    }

    private void parallel(String inner, long blocks, Map<Long, long[]> sums) throws SQLException {
        int ranges = jobs * RANGES_PER_JOB;
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < ranges; i++) {
            long lo = blocks * i / ranges;
            long hi = blocks * (i + 1) / ranges;
            // The last range is open: rows added past the end while the sweep runs belong to it.
            queries.add(RowHashes.grouped(inner + " WHERE r.ctid >= '(" + lo + ",0)'::tid"
                    + (i == ranges - 1 ? "" : " AND r.ctid < '(" + hi + ",0)'::tid")));
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread th = new Thread(r, "pgferry-sweep");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<Map<Long, long[]>>> parts = new ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                parts.add(pool.submit(() -> {
                    Map<Long, long[]> mine = new TreeMap<>();
                    try (Connection h = Connections.open(dsn)) {
                        HashSettings.pin(h);
                        RowHashes.planGrouping(h, false);
                        for (int i = next.getAndIncrement(); i < queries.size(); i = next.getAndIncrement()) {
                            add(h, queries.get(i), mine);
                        }
                    }
                    return mine;
                }));
            }
            for (Future<Map<Long, long[]>> part : parts) {
                for (long[] r : part.get().values()) {
                    merge(sums, r);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while sweeping", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException rt) {
                throw rt;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void add(Connection c, String sql, Map<Long, long[]> sums) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                // The low 64 bits of the exact sum: sums of parts wrap to the sum of the whole.
                merge(sums, new long[] {rs.getLong(1), rs.getLong(2), new BigInteger(rs.getString(3)).longValue()});
            }
        }
    }

    private static void merge(Map<Long, long[]> sums, long[] r) {
        long[] have = sums.get(r[0]);
        if (have == null) {
            sums.put(r[0], r.clone());
        } else {
            have[1] += r[1];
            have[2] += r[2];
        }
    }

    /** The table's size in blocks; -1 for anything but an ordinary table (a partitioned table has no blocks). */
    private static long blocks(Connection c, GuardedTable t) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT CASE WHEN k.relkind = 'r' THEN"
                + " pg_relation_size(k.oid) / current_setting('block_size')::bigint ELSE -1 END"
                + " FROM pg_catalog.pg_class k WHERE k.oid = ?::regclass")) {
            st.setString(1, t.relation());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
