package io.pgferry.scan;

import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.PgArray;
import io.pgferry.core.value.TypeResolver;
import io.pgferry.scan.rules.Rule;
import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import io.pgferry.scan.rules.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a {@link RuleSet} over rows: for each table it decides once which columns can be scanned (by type) and which
 * rules look at each (the scan's scope, then each rule's), so scopes apply before any matching; then every match of
 * every rule in every scanned value is a {@link Hit}. Thread-safe; the per-table plans are shared.
 */
public final class Scanner {
    private final Scope scope;
    private final boolean numbers;
    /** The rules and the plans made for them, swapped whole by {@link #reload}. */
    private volatile Loaded loaded;

    private record Loaded(RuleSet rules, Map<Relation, TablePlan> plans) {}

    /** The plan of the last table scanned, for the rows that follow it (read and written racily: any is right). */
    private record Last(Loaded loaded, Relation relation, TablePlan plan) {}

    private volatile Last last;

    /**
     * @param scope the scan's own scope, applied before every rule's
     * @param numbers also scan numeric and bigint columns (card numbers stored as numbers)
     */
    public Scanner(RuleSet rules, Scope scope, boolean numbers) {
        this.loaded = new Loaded(rules, new ConcurrentHashMap<>());
        this.scope = scope;
        this.numbers = numbers;
    }

    public RuleSet rules() {
        return loaded.rules;
    }

    /**
     * Runs {@code rules} from now on: every row scanned after this returns sees them whole (a row being scanned
     * finishes with the rules it started with). Per-table plans are made again.
     */
    public void reload(RuleSet rules) {
        loaded = new Loaded(rules, new ConcurrentHashMap<>());
    }

    /** The scan's scope. */
    public Scope scope() {
        return scope;
    }

    /** Every match in the row's scanned columns; unsent (unchanged TOAST) and NULL values are skipped. */
    List<Hit> scan(Row row) {
        Loaded l = loaded;
        // The stream hands one Relation object to every row of a table until its shape changes: compare identity
        // first, as hashing a relation's whole column list for every row would cost more than most scans.
        Last last = this.last;
        TablePlan plan;
        if (last != null && last.loaded == l && last.relation == row.relation()) {
            plan = last.plan;
        } else {
            plan = l.plans.computeIfAbsent(row.relation(), r -> plan(l.rules, r, row.types()));
            this.last = new Last(l, row.relation(), plan);
        }
        if (plan.columns.length == 0) {
            return List.of();
        }
        List<Hit> hits = new ArrayList<>(0);
        for (int c = 0; c < plan.columns.length; c++) {
            int i = plan.columns[c];
            if (row.isNull(i) || row.isUnchangedToast(i)) {
                continue;
            }
            Rule[] columnRules = plan.rules[c];
            String column = row.column(i).name();
            switch (plan.kinds[c]) {
                case TEXT, NUMBER -> scanText(row.text(i), i, column, null, columnRules, hits);
                case JSON -> JsonLeaves.walk(
                        row.text(i), (path, leaf) -> scanText(leaf, i, column, path, columnRules, hits));
                case TEXT_ARRAY -> {
                    List<Object> elements = ((PgArray) row.value(i)).flatElements();
                    for (int e = 0; e < elements.size(); e++) {
                        if (elements.get(e) instanceof String s) {
                            scanText(s, i, column, "[" + (e + 1) + "]", columnRules, hits);
                        }
                    }
                }
                case SKIP -> throw new IllegalStateException("a skipped column is never planned");
            }
        }
        return hits;
    }

    /** The columns of the table this scanner reads (by type and scope), in table order. */
    int[] scannedColumns(Relation relation, TypeResolver types) {
        Loaded l = loaded;
        return l.plans
                .computeIfAbsent(relation, r -> plan(l.rules, r, types))
                .columns
                .clone();
    }

    /** Every match of the rules in one string, for {@code rules test} and benchmarks: no table, no scope. */
    public static List<Match> matches(List<Rule> rules, String value) {
        List<Match> out = new ArrayList<>();
        Text text = new Text(value);
        for (Rule r : rules) {
            r.find(text, (start, end) -> out.add(new Match(r, start, end)));
        }
        return out;
    }

    /** A match of {@link #matches}: the rule and where in the value. */
    public record Match(Rule rule, int start, int end) {}

    private static void scanText(String value, int index, String column, String path, Rule[] rules, List<Hit> out) {
        Text text = new Text(value);
        for (Rule r : rules) {
            r.find(text, (start, end) -> out.add(new Hit(index, column, path, r, value.substring(start, end))));
        }
    }

    private TablePlan plan(RuleSet rules, Relation relation, TypeResolver types) {
        List<Integer> columns = new ArrayList<>();
        List<ColumnKind> kinds = new ArrayList<>();
        List<Rule[]> columnRules = new ArrayList<>();
        if (scope.coversTable(relation.schema(), relation.table())) {
            List<Rule> tableRules = rules.rules().stream()
                    .filter(r -> r.scope().coversTable(relation.schema(), relation.table()))
                    .toList();
            for (int i = 0; i < relation.columns().size(); i++) {
                var col = relation.columns().get(i);
                ColumnKind kind = ColumnKind.of(col.typeOid(), types, numbers);
                if (kind == ColumnKind.SKIP || !scope.coversColumn(col.name())) {
                    continue;
                }
                Rule[] rs = tableRules.stream()
                        .filter(r -> r.scope().coversColumn(col.name()))
                        .toArray(Rule[]::new);
                if (rs.length > 0) {
                    columns.add(i);
                    kinds.add(kind);
                    columnRules.add(rs);
                }
            }
        }
        return new TablePlan(
                columns.stream().mapToInt(Integer::intValue).toArray(),
                kinds.toArray(ColumnKind[]::new),
                columnRules.toArray(Rule[][]::new));
    }

    /** The scanned columns of one table, their kinds, and the rules that look at each. */
    private record TablePlan(int[] columns, ColumnKind[] kinds, Rule[][] rules) {}
}
