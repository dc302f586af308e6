package io.pgferry.verify.compare;

import io.pgferry.verify.guard.GuardedTable;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A table registered on both sides, or the reasons it cannot be compared. */
final class TablePair {
    final String schema;
    final String table;
    final GuardedTable publisher;
    final GuardedTable subscriber;
    final List<String> problems;

    private TablePair(
            String schema, String table, GuardedTable publisher, GuardedTable subscriber, List<String> problems) {
        this.schema = schema;
        this.table = table;
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.problems = problems;
    }

    String name() {
        return schema + "." + table;
    }

    String layout() {
        GuardedTable t = publisher != null ? publisher : subscriber;
        return t == null ? "" : t.layout().toString();
    }

    /** The tables to compare, by schema and name, with the options' filters applied. */
    static List<TablePair> match(Side pub, Side sub, VerifyOptions o, List<String> runProblems) throws SQLException {
        Map<String, GuardedTable> p = pub.tables();
        Map<String, GuardedTable> s = sub.tables();
        Map<Integer, List<String>> pSwept = pub.sweptColumns();
        Map<Integer, List<String>> sSwept = sub.sweptColumns();
        Set<String> names = new LinkedHashSet<>(p.keySet());
        names.addAll(s.keySet());
        List<TablePair> out = new ArrayList<>();
        Set<String> wanted = new LinkedHashSet<>(o.tables());
        for (String name : new java.util.TreeSet<>(names)) {
            GuardedTable a = p.get(name);
            GuardedTable b = s.get(name);
            GuardedTable any = a != null ? a : b;
            if (!selected(any, o, wanted)) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            if (a == null || b == null) {
                problems.add("registered on the " + (a == null ? "subscriber" : "publisher") + " only; register it"
                        + " on the " + (a == null ? "publisher" : "subscriber") + " with the same bucket size");
            } else {
                if (!a.layout().equals(b.layout())) {
                    problems.add("bucket layouts differ (publisher: " + a.layout() + ", subscriber: " + b.layout()
                            + "); register it again on one side with the other's bucket size");
                }
                usability(a, "publisher", problems);
                usability(b, "subscriber", problems);
                List<String> ac = pSwept.get(a.tableId());
                List<String> bc = sSwept.get(b.tableId());
                if (ac == null || bc == null) {
                    problems.add(
                            "not swept yet on the " + (ac == null ? "publisher" : "subscriber")
                                    + "; run a guard worker there (GuardWorker, or pgferry guard run) and wait for the initial sweep");
                } else if (!ac.equals(bc)) {
                    problems.add("the columns differ (publisher: " + ac + ", subscriber: " + bc
                            + "); make both tables have the same columns");
                }
            }
            out.add(new TablePair(any.schema(), any.table(), a, b, problems));
        }
        for (String w : wanted) {
            runProblems.add("table " + w
                    + " is registered on neither side; register it on both (syncguard.register_table, or pgferry guard"
                    + " register)");
        }
        return out;
    }

    private static void usability(GuardedTable t, String side, List<String> problems) {
        t.problem().ifPresent(p -> problems.add("on the " + side + ": " + p));
    }

    /** Whether the table passes the filters; a table named in {@code wanted} is removed from it. */
    private static boolean selected(GuardedTable t, VerifyOptions o, Set<String> wanted) {
        if (o.schema() != null && !o.schema().equals(t.schema())) {
            return false;
        }
        if (wanted.isEmpty() && o.tables().isEmpty()) {
            return true;
        }
        boolean byName = wanted.remove(t.qualifiedName()) | wanted.remove(t.table());
        return byName || o.tables().contains(t.qualifiedName()) || o.tables().contains(t.table());
    }
}
