package io.pgferry.scan.rules;

import java.util.List;

/**
 * Where a rule (or a whole scan) looks: schemas, tables and columns to include (empty: all) and to exclude, as exact
 * names or {@link Glob globs}. A table pattern with a dot matches {@code schema.table}, one without matches the table
 * name alone. Applied before matching: a value outside the scope is never read by a detector.
 */
public record Scope(
        List<Glob> includeSchemas,
        List<Glob> includeTables,
        List<Glob> excludeTables,
        List<Glob> includeColumns,
        List<Glob> excludeColumns) {
    public static final Scope ALL = new Scope(List.of(), List.of(), List.of(), List.of(), List.of());

    public Scope {
        includeSchemas = List.copyOf(includeSchemas);
        includeTables = List.copyOf(includeTables);
        excludeTables = List.copyOf(excludeTables);
        includeColumns = List.copyOf(includeColumns);
        excludeColumns = List.copyOf(excludeColumns);
    }

    /** A scope from the names or globs of each list. */
    public static Scope of(
            List<String> includeSchemas,
            List<String> includeTables,
            List<String> excludeTables,
            List<String> includeColumns,
            List<String> excludeColumns) {
        return new Scope(
                globs(includeSchemas),
                globs(includeTables),
                globs(excludeTables),
                globs(includeColumns),
                globs(excludeColumns));
    }

    private static List<Glob> globs(List<String> names) {
        return names.stream().map(Glob::new).toList();
    }

    public boolean coversTable(String schema, String table) {
        if (!includeSchemas.isEmpty() && includeSchemas.stream().noneMatch(g -> g.matches(schema))) {
            return false;
        }
        if (!includeTables.isEmpty() && includeTables.stream().noneMatch(g -> tableMatches(g, schema, table))) {
            return false;
        }
        return excludeTables.stream().noneMatch(g -> tableMatches(g, schema, table));
    }

    public boolean coversColumn(String column) {
        if (!includeColumns.isEmpty() && includeColumns.stream().noneMatch(g -> g.matches(column))) {
            return false;
        }
        return excludeColumns.stream().noneMatch(g -> g.matches(column));
    }

    /** True when the column is named by an exclusion: such a column never leaves the process, not even as a key. */
    public boolean excludesColumn(String column) {
        return excludeColumns.stream().anyMatch(g -> g.matches(column));
    }

    private static boolean tableMatches(Glob g, String schema, String table) {
        return g.pattern().indexOf('.') >= 0 ? g.matches(schema + "." + table) : g.matches(table);
    }
}
