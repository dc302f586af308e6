package io.pgferry.verify.diff;

import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.verify.guard.RowHashes;
import io.pgferry.verify.inspect.RowDiff;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Bisects one table: splits the key space into segments, has each side count and hash every segment in one grouped
 * query (in the database, rows never leave it), and descends only into segments that differ, until a segment is
 * small enough to compare row by row.
 */
final class TableDiffer {
    /** Above this many rows (estimated) the first split points come from a sample rather than a full key scan. */
    private static final long SAMPLE_ABOVE = 500_000;

    private final Sides sides;
    private final KeySpace ks;
    private final DiffOptions options;
    private final List<RowDiff> rows = new ArrayList<>();
    private boolean truncated;
    private int queries;

    TableDiffer(Sides sides, KeySpace ks, DiffOptions options) {
        this.sides = sides;
        this.ks = ks;
        this.options = options;
    }

    private record Aggregate(long rows, BigInteger hash) {
        static final Aggregate EMPTY = new Aggregate(0, BigInteger.ZERO);
    }

    DiffReport.TableDiff run(String schema, String table) throws SQLException {
        Deque<Segment> work = new ArrayDeque<>();
        long sourceRows = 0;
        long targetRows = 0;
        boolean top = true;
        work.add(Segment.ALL);
        while (!work.isEmpty() && !truncated) {
            Segment segment = work.poll();
            List<List<String>> points = points(segment, top);
            List<Segment> parts = segment.split(points);
            String sql = RowHashes.grouped("SELECT " + ks.subSegment(points) + " AS g, " + ks.rowHash() + " AS h FROM "
                    + ks.relation() + " r WHERE " + ks.predicate(segment));
            List<Map<Integer, Aggregate>> results = sides.both(c -> aggregates(c, sql));
            queries++;
            for (int i = 0; i < parts.size(); i++) {
                Aggregate a = results.get(0).getOrDefault(i, Aggregate.EMPTY);
                Aggregate b = results.get(1).getOrDefault(i, Aggregate.EMPTY);
                if (top) {
                    sourceRows += a.rows();
                    targetRows += b.rows();
                }
                if (a.equals(b)) {
                    continue;
                }
                long n = Math.max(a.rows(), b.rows());
                // A segment the key cannot cut further (fewer keys than parts) is small: compare it row by row.
                if (n <= options.threshold() || parts.size() == 1) {
                    compareRows(parts.get(i));
                } else {
                    work.add(parts.get(i));
                }
            }
            top = false;
        }
        return new DiffReport.TableDiff(
                schema, table, sourceRows, targetRows, List.copyOf(rows), truncated, queries, List.of());
    }

    /**
     * Inner bounds that cut {@code segment} into parts; empty when it cannot be cut. The whole table is cut finer
     * than {@code factor}, into ranges of about four times the threshold (at most {@value #MAX_TOP_PARTS}): the one
     * scan of the whole table then leaves only small ranges to read again.
     */
    private List<List<String>> points(Segment segment, boolean top) throws SQLException {
        int parts = options.factor();
        long estimate = top ? sides.source(this::estimate) : -1;
        if (top) {
            parts = (int) Math.max(parts, Math.min(MAX_TOP_PARTS, estimate / (4L * options.threshold())));
        }
        return ks.integerKey() ? arithmeticPoints(segment, parts) : quantilePoints(segment, top, estimate, parts);
    }

    /** The most ranges the first cut makes: each side groups its rows into this many. */
    private static final int MAX_TOP_PARTS = 4096;

    private List<List<String>> arithmeticPoints(Segment segment, int parts) throws SQLException {
        String k = ks.keyExpression();
        String sql = "SELECT min(" + k + ")::text, max(" + k + ")::text FROM " + ks.relation() + " r WHERE "
                + ks.predicate(segment);
        List<String[]> bounds = sides.both(c -> {
            try (PreparedStatement st = c.prepareStatement(sql);
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        });
        queries++;
        BigInteger lo = null;
        BigInteger hi = null;
        for (String[] b : bounds) {
            if (b[0] != null) {
                lo = lo == null ? new BigInteger(b[0]) : lo.min(new BigInteger(b[0]));
                hi = hi == null ? new BigInteger(b[1]) : hi.max(new BigInteger(b[1]));
            }
        }
        List<List<String>> out = new ArrayList<>();
        if (lo == null) {
            return out;
        }
        BigInteger span = hi.subtract(lo).add(BigInteger.ONE);
        TreeSet<BigInteger> cuts = new TreeSet<>();
        BigInteger f = BigInteger.valueOf(parts);
        for (int i = 1; i < parts; i++) {
            BigInteger p = lo.add(span.multiply(BigInteger.valueOf(i)).divide(f));
            if (p.compareTo(lo) > 0 && p.compareTo(hi) <= 0) {
                cuts.add(p);
            }
        }
        cuts.forEach(p -> out.add(List.of(p.toString())));
        return out;
    }

    private List<List<String>> quantilePoints(Segment segment, boolean top, long estimate, int parts)
            throws SQLException {
        String from;
        if (top && estimate > SAMPLE_ABOVE) {
            double pct = Math.min(100.0, 100.0 * 50_000 / estimate);
            from = ks.relation() + " r TABLESAMPLE SYSTEM (" + pct + ")";
        } else {
            from = ks.relation() + " r WHERE " + ks.predicate(segment);
        }
        String sql = quantileQuery(ks, from, parts);
        List<List<String>> points = sides.source(c -> keyRows(c, sql));
        queries++;
        if (points.isEmpty()) {
            points = sides.target(c -> keyRows(c, sql));
        }
        return points;
    }

    /**
     * The keys that cut the rows {@code from} selects into {@code parts} runs of about equal size, in key order, as
     * one query: the server numbers the rows in key order and returns only the first key of each run but the first
     * (a bound equal to the segment's lower bound would leave one part as big as the segment), so that at most
     * {@code parts - 1} keys reach the client, whatever the segment's size. Row {@code n} (from 0) of {@code total}
     * is in run {@code n * parts / total}, rounded down.
     *
     * @param from a FROM list naming the table as {@code r}, with any WHERE clause
     */
    static String quantileQuery(KeySpace ks, String from, int parts) {
        StringBuilder inner = new StringBuilder("SELECT ");
        StringBuilder outer = new StringBuilder("SELECT ");
        for (int i = 0; i < ks.key().size(); i++) {
            inner.append("r.")
                    .append(Identifiers.quote(ks.key().get(i)))
                    .append("::text AS k")
                    .append(i)
                    .append(", ");
            outer.append(i == 0 ? "" : ", ").append("x.k").append(i);
        }
        inner.append("row_number() OVER (ORDER BY ")
                .append(ks.orderBy())
                .append(") - 1 AS n, count(*) OVER () AS total FROM ")
                .append(from);
        return outer.append(" FROM (")
                .append(inner)
                .append(") x WHERE x.n > 0 AND x.n * ")
                .append(parts)
                .append(" / x.total > (x.n - 1) * ")
                .append(parts)
                .append(" / x.total ORDER BY x.n")
                .toString();
    }

    private void compareRows(Segment segment) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < ks.columns().size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("r.")
                    .append(Identifiers.quote(ks.columns().get(i)))
                    .append("::text");
        }
        sql.append(" FROM ").append(ks.relation()).append(" r WHERE ").append(ks.predicate(segment));
        sql.append(" ORDER BY ").append(ks.orderBy());
        String text = sql.toString();
        List<Map<List<String>, Map<String, String>>> both = sides.both(c -> fullRows(c, text));
        queries++;
        Map<List<String>, Map<String, String>> source = both.get(0);
        Map<List<String>, Map<String, String>> target = both.get(1);
        for (var e : source.entrySet()) {
            Map<String, String> other = target.get(e.getKey());
            if (other == null) {
                add(e.getKey(), RowDiff.Kind.MISSING_ON_SUBSCRIBER, e.getValue(), null, ks.columns());
            } else {
                List<String> changed = ks.columns().stream()
                        .filter(col -> !Objects.equals(e.getValue().get(col), other.get(col)))
                        .toList();
                if (!changed.isEmpty()) {
                    add(e.getKey(), RowDiff.Kind.CHANGED, e.getValue(), other, changed);
                }
            }
        }
        for (var e : target.entrySet()) {
            if (!source.containsKey(e.getKey())) {
                add(e.getKey(), RowDiff.Kind.MISSING_ON_PUBLISHER, null, e.getValue(), ks.columns());
            }
        }
    }

    private void add(
            List<String> key, RowDiff.Kind kind, Map<String, String> s, Map<String, String> t, List<String> cols) {
        if (rows.size() >= options.maxRows()) {
            truncated = true;
            return;
        }
        Map<String, String> k = new LinkedHashMap<>();
        for (int i = 0; i < ks.key().size(); i++) {
            k.put(ks.key().get(i), key.get(i));
        }
        rows.add(new RowDiff(k, kind, s, t, cols));
    }

    private Map<List<String>, Map<String, String>> fullRows(Connection c, String sql) throws SQLException {
        Map<List<String>, Map<String, String>> out = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (int i = 0; i < ks.columns().size(); i++) {
                    row.put(ks.columns().get(i), rs.getString(i + 1));
                }
                out.put(ks.key().stream().map(row::get).toList(), row);
            }
        }
        return out;
    }

    private List<List<String>> keyRows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                List<String> key = new ArrayList<>();
                for (int i = 0; i < ks.key().size(); i++) {
                    key.add(rs.getString(i + 1));
                }
                out.add(key);
            }
        }
        return out;
    }

    private long estimate(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT greatest(reltuples, 0)::bigint FROM pg_catalog.pg_class WHERE oid = to_regclass(?)")) {
            st.setString(1, ks.relation());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static Map<Integer, Aggregate> aggregates(Connection c, String sql) throws SQLException {
        Map<Integer, Aggregate> out = new HashMap<>();
        // For this query alone: the others read keys in order, which a sort may serve best.
        c.setAutoCommit(false);
        try (PreparedStatement st = c.prepareStatement(sql)) {
            RowHashes.planGrouping(c, true);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String sum = rs.getString(3);
                    BigInteger h = sum == null ? BigInteger.ZERO : new BigInteger(sum);
                    // The 64-bit wrapped sum, as the guard catalog keeps it: equal multisets of rows, equal values.
                    out.put(rs.getInt(1), new Aggregate(rs.getLong(2), BigInteger.valueOf(h.longValue())));
                }
            }
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
        return out;
    }
}
