package io.pgferry.scan.mask;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.TypeResolver;
import io.pgferry.scan.ColumnKind;
import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.Scanner;
import io.pgferry.scan.rules.Rule;
import io.pgferry.scan.rules.Scope;
import java.util.ArrayList;
import java.util.List;

/**
 * A mask file made a {@link ValueMask}: per-column transforms (the whole value) and per-rule transforms (each match
 * of a scanning rule inside text, JSON and text-array values), applied on a sync's way to any destination. A column
 * mask wins over rule masks for its column. Thread-safe and deterministic, as the interface requires.
 */
public final class MaskPlan implements ValueMask {
    /** A whole-value mask of the columns {@code where} covers. */
    record ColumnMask(Scope where, String describe, Transform transform, String value) {}

    /** Each match of {@code rule} in the text columns {@code where} covers. */
    record RuleMask(Rule rule, Scope where, Transform transform) {}

    private final List<ColumnMask> columns;
    private final List<RuleMask> rules;
    private final Fingerprints hash;

    MaskPlan(List<ColumnMask> columns, List<RuleMask> rules, Fingerprints hash) {
        this.columns = List.copyOf(columns);
        this.rules = List.copyOf(rules);
        this.hash = hash;
    }

    @Override
    public TableMask of(Relation relation, TypeResolver types) {
        int n = relation.columns().size();
        ColumnMask[] byColumn = new ColumnMask[n];
        List<List<RuleMask>> byRule = new ArrayList<>(n);
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Column col = relation.columns().get(i);
            ColumnKind kind = ColumnKind.of(col.typeOid(), types, false);
            List<RuleMask> rs = new ArrayList<>();
            for (ColumnMask m : columns) {
                if (m.where().coversTable(relation.schema(), relation.table())
                        && m.where().coversColumn(col.name())) {
                    if (m.transform().textual && kind != ColumnKind.TEXT) {
                        throw PgFerryException.fatal(
                                "mask " + m.describe() + " would write "
                                        + m.transform().label() + " text into " + relation + "." + col.name()
                                        + ", which is not a text column",
                                "mask that column with transform fixed (a valid value) or null");
                    }
                    byColumn[i] = m;
                    any = true;
                    break;
                }
            }
            if (byColumn[i] == null && kind != ColumnKind.SKIP && kind != ColumnKind.NUMBER) {
                for (RuleMask r : rules) {
                    if (r.where().coversTable(relation.schema(), relation.table())
                            && r.where().coversColumn(col.name())) {
                        rs.add(r);
                        any = true;
                    }
                }
            }
            byRule.add(List.copyOf(rs));
        }
        return any ? new Table(byColumn, byRule) : null;
    }

    private final class Table implements TableMask {
        private final ColumnMask[] byColumn;
        private final List<List<RuleMask>> byRule;

        Table(ColumnMask[] byColumn, List<List<RuleMask>> byRule) {
            this.byColumn = byColumn;
            this.byRule = byRule;
        }

        @Override
        public boolean masks(int column) {
            return byColumn[column] != null || !byRule.get(column).isEmpty();
        }

        @Override
        public String apply(int column, String text) {
            ColumnMask m = byColumn[column];
            if (m != null) {
                return m.transform().apply(text, m.value(), hash);
            }
            String out = text;
            for (RuleMask r : byRule.get(column)) {
                out = replaceMatches(out, r);
            }
            return out;
        }

        @Override
        public boolean lossy(int column) {
            ColumnMask m = byColumn[column];
            if (m != null) {
                return m.transform().lossy;
            }
            return byRule.get(column).stream().anyMatch(r -> r.transform().lossy);
        }
    }

    private String replaceMatches(String text, RuleMask r) {
        List<Scanner.Match> found = Scanner.matches(List.of(r.rule()), text);
        if (found.isEmpty()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        int at = 0;
        for (Scanner.Match m : found) {
            if (m.start() < at) {
                continue;
            }
            b.append(text, at, m.start());
            b.append(r.transform().apply(text.substring(m.start(), m.end()), null, hash));
            at = m.end();
        }
        return b.append(text, at, text.length()).toString();
    }
}
