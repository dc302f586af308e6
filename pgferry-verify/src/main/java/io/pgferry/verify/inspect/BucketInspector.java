package io.pgferry.verify.inspect;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardedTable;
import io.pgferry.verify.guard.HashSettings;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drills into one bucket that verify reported: reads the bucket's rows on both sides, lists the rows that differ
 * and the columns that differ in each, and builds the {@link RepairPlan}; {@link #repair} applies that plan to the
 * subscriber in one transaction. Both sides need the table registered (for its key and layout) and direct SELECT on
 * it; repair needs INSERT, UPDATE and DELETE on the subscriber's table.
 */
public final class BucketInspector {
    private BucketInspector() {}

    /** What {@link #inspect} found. {@code plan} is empty when the bucket is equal on both sides. */
    public record Inspection(
            String schema,
            String table,
            long bucketId,
            String layout,
            String bounds,
            List<RowDiff> rows,
            List<String> plan) {}

    /** What {@link #repair} did. */
    public record Repair(Inspection inspection, boolean applied, int statements) {}

    public static Inspection inspect(Dsn publisher, Dsn subscriber, String schema, String table, long bucketId) {
        try (Connection p = open(publisher, "publisher");
                Connection s = open(subscriber, "subscriber")) {
            return inspect(p, s, publisher, subscriber, schema, table, bucketId);
        } catch (SQLException e) {
            throw Connections.classify(e, subscriber);
        }
    }

    /**
     * Inspects the bucket again and, unless {@code dryRun}, applies the plan to the subscriber in one transaction
     * (which fires the subscriber's dirty tracking, so its worker recomputes the bucket). Never runs implicitly.
     */
    public static Repair repair(
            Dsn publisher, Dsn subscriber, String schema, String table, long bucketId, boolean dryRun) {
        try (Connection p = open(publisher, "publisher");
                Connection s = open(subscriber, "subscriber")) {
            Inspection i = inspect(p, s, publisher, subscriber, schema, table, bucketId);
            if (dryRun || i.plan().isEmpty()) {
                return new Repair(i, false, 0);
            }
            s.setAutoCommit(false);
            try (Statement st = s.createStatement()) {
                for (String setting : RepairPlan.SETTINGS) {
                    st.execute(setting);
                }
                for (String sql : i.plan()) {
                    st.execute(sql);
                }
                s.commit();
            } catch (SQLException e) {
                s.rollback();
                throw PgFerryException.fatal(
                        "the repair of " + schema + "." + table + " bucket " + bucketId
                                + " failed on the subscriber and was rolled back: "
                                + Connections.oneLine(subscriber.maskSecrets(e.getMessage())),
                        "inspect the bucket to see the plan (BucketInspector, or pgferry inspect), fix what blocks it (a foreign"
                                + " key, a trigger, rights),"
                                + " then repair again",
                        e);
            }
            return new Repair(i, true, i.plan().size());
        } catch (SQLException e) {
            throw Connections.classify(e, subscriber);
        }
    }

    private static Inspection inspect(
            Connection p, Connection s, Dsn publisher, Dsn subscriber, String schema, String table, long bucketId)
            throws SQLException {
        GuardedTable pt = registered(p, publisher, "publisher", schema, table);
        GuardedTable st = registered(s, subscriber, "subscriber", schema, table);
        if (!pt.layout().equals(st.layout())) {
            throw PgFerryException.fatal(
                    "the bucket layouts of " + schema + "." + table + " differ (publisher: " + pt.layout()
                            + ", subscriber: " + st.layout() + ")",
                    "register the table again on one side with the other's bucket size");
        }
        List<ColumnInfo> columns = ColumnInfo.of(s, st.relation());
        List<String> names = columns.stream().map(ColumnInfo::name).toList();
        if (!names.equals(pt.columnNames())) {
            throw PgFerryException.fatal(
                    "the columns of " + schema + "." + table + " differ (publisher: " + pt.columnNames()
                            + ", subscriber: " + names + ")",
                    "make both tables have the same columns");
        }
        Map<List<String>, Map<String, String>> pubRows = rows(p, pt, names, bucketId);
        Map<List<String>, Map<String, String>> subRows = rows(s, st, names, bucketId);
        List<RowDiff> diffs = new ArrayList<>();
        for (var e : pubRows.entrySet()) {
            Map<String, String> other = subRows.get(e.getKey());
            if (other == null) {
                diffs.add(diff(pt, e.getValue(), RowDiff.Kind.MISSING_ON_SUBSCRIBER, e.getValue(), null, names));
            } else {
                List<String> changed = names.stream()
                        .filter(n -> !Objects.equals(e.getValue().get(n), other.get(n)))
                        .toList();
                if (!changed.isEmpty()) {
                    diffs.add(diff(pt, e.getValue(), RowDiff.Kind.CHANGED, e.getValue(), other, changed));
                }
            }
        }
        for (var e : subRows.entrySet()) {
            if (!pubRows.containsKey(e.getKey())) {
                diffs.add(diff(pt, e.getValue(), RowDiff.Kind.MISSING_ON_PUBLISHER, null, e.getValue(), names));
            }
        }
        List<String> plan = RepairPlan.statements(st.relation(), st.keyColumns(), columns, diffs);
        return new Inspection(schema, table, bucketId, pt.layout().toString(), bounds(pt, bucketId), diffs, plan);
    }

    private static RowDiff diff(
            GuardedTable t,
            Map<String, String> row,
            RowDiff.Kind kind,
            Map<String, String> publisher,
            Map<String, String> subscriber,
            List<String> columns) {
        Map<String, String> key = new LinkedHashMap<>();
        for (String k : t.keyColumns()) {
            key.put(k, row.get(k));
        }
        return new RowDiff(key, kind, publisher, subscriber, columns);
    }

    /** The bucket's rows by key, each as column → text, in key order. */
    private static Map<List<String>, Map<String, String>> rows(
            Connection c, GuardedTable t, List<String> names, long bucketId) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("r.")
                    .append(Identifiers.quote(names.get(i)))
                    .append("::text");
        }
        sql.append(" FROM ").append(t.relation()).append(" r WHERE ");
        if (t.layout().isRange()) {
            sql.append("r.").append(Identifiers.quote(t.keyColumns().get(0))).append(" BETWEEN ? AND ?");
        } else {
            sql.append(t.bucketExpression()).append(" = ?");
        }
        sql.append(" ORDER BY ");
        for (int i = 0; i < t.keyColumns().size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("r.")
                    .append(Identifiers.quote(t.keyColumns().get(i)));
        }
        Map<List<String>, Map<String, String>> out = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement(sql.toString())) {
            if (t.layout().isRange()) {
                long[] range = range(t, bucketId);
                st.setLong(1, range[0]);
                st.setLong(2, range[1]);
            } else {
                st.setLong(1, bucketId);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 0; i < names.size(); i++) {
                        row.put(names.get(i), rs.getString(i + 1));
                    }
                    List<String> key = t.keyColumns().stream().map(row::get).toList();
                    out.put(key, row);
                }
            }
        }
        return out;
    }

    /** The keys of a range bucket, clamped to bigint. */
    static long[] range(GuardedTable t, long bucketId) {
        BigInteger size = BigInteger.valueOf(t.layout().bucketSize());
        BigInteger lo = BigInteger.valueOf(bucketId).multiply(size);
        BigInteger hi = lo.add(size).subtract(BigInteger.ONE);
        BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
        return new long[] {
            lo.max(min).min(max).longValue(), hi.max(min).min(max).longValue()
        };
    }

    private static String bounds(GuardedTable t, long bucketId) {
        if (!t.layout().isRange()) {
            return "rows whose key hashes to bucket " + bucketId + " of "
                    + t.layout().bucketCount();
        }
        long[] r = range(t, bucketId);
        return t.keyColumns().get(0) + " " + r[0] + ".." + r[1];
    }

    private static GuardedTable registered(Connection c, Dsn dsn, String side, String schema, String table)
            throws SQLException {
        return GuardedTable.read(c).stream()
                .filter(t -> t.schema().equals(schema) && t.table().equals(table))
                .findFirst()
                .filter(GuardedTable::usable)
                .orElseThrow(() -> PgFerryException.fatal(
                        schema + "." + table + " is not registered (or no longer usable) on the " + side + " ("
                                + dsn.dbname() + ")",
                        "register it on both sides (syncguard.register_table, or pgferry guard register)"));
    }

    private static Connection open(Dsn dsn, String side) throws SQLException {
        Connection c = Connections.open(dsn);
        try {
            GuardSchema.requireCurrent(c, "the " + side + " (database " + dsn.dbname() + ")");
            HashSettings.pin(c);
            try (Statement st = c.createStatement()) {
                st.execute("SET standard_conforming_strings = on");
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
