package io.pgferry.verify.diff;

import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.verify.guard.RowHashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A table's primary key and columns as diff needs them, and the SQL that ranges over the key: segment predicates,
 * the assignment of rows to sub-segments and the canonical row hash. Literals carry the key column's type and
 * collation, so that a bound compares exactly as the key's index orders it.
 *
 * @param keyTypes each key column's type as format_type prints it
 * @param keyCollations each key column's collation as a quoted name, or null when the type has none
 * @param columns every live column, by name in byte order
 * @param types each of {@code columns}' type OID
 */
record KeySpace(
        String relation,
        List<String> key,
        List<String> keyTypes,
        List<String> keyCollations,
        List<String> columns,
        List<Long> types) {

    /** A single smallint, integer or bigint key: split by arithmetic instead of quantiles. */
    boolean integerKey() {
        return key.size() == 1 && List.of("smallint", "integer", "bigint").contains(keyTypes.get(0));
    }

    /** The key space of {@code schema.table}; null when the table does not exist or has no primary key. */
    static KeySpace of(Connection c, String schema, String table) throws SQLException {
        String relation = Identifiers.qualified(schema, table);
        List<String> key = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> collations = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, pg_catalog.format_type(a.atttypid,"
                + " a.atttypmod), CASE WHEN a.attcollation <> 0 THEN pg_catalog.quote_ident(n.nspname) || '.'"
                + " || pg_catalog.quote_ident(co.collname) END FROM pg_catalog.pg_index i"
                + " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
                + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY k.ord")) {
            st.setString(1, relation);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                    types.add(rs.getString(2));
                    collations.add(rs.getString(3));
                }
            }
        }
        if (key.isEmpty()) {
            return null;
        }
        List<String> columns = new ArrayList<>();
        List<Long> columnTypes = new ArrayList<>();
        try (PreparedStatement st =
                c.prepareStatement("SELECT a.attname, a.atttypid::bigint FROM pg_catalog.pg_attribute a"
                        + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
                        + " ORDER BY a.attname COLLATE \"C\"")) {
            st.setString(1, relation);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    columnTypes.add(rs.getLong(2));
                }
            }
        }
        return new KeySpace(
                relation,
                List.copyOf(key),
                List.copyOf(types),
                collations,
                List.copyOf(columns),
                List.copyOf(columnTypes));
    }

    /** The 64-bit canonical hash of row {@code r}, as the guard worker computes it. */
    String rowHash() {
        return RowHashes.expression(columns, types);
    }

    /** The key of row {@code r}: the column, or a row of the columns. */
    String keyExpression() {
        List<String> cols = key.stream().map(k -> "r." + Identifiers.quote(k)).toList();
        return cols.size() == 1 ? cols.get(0) : "ROW(" + String.join(", ", cols) + ")";
    }

    String orderBy() {
        return key.stream().map(k -> "r." + Identifiers.quote(k)).collect(Collectors.joining(", "));
    }

    /** A key tuple as a typed literal: comparable with {@link #keyExpression()}. */
    String literal(List<String> values) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            String v = values.get(i);
            String lit = (v == null ? "NULL" : "'" + v.replace("'", "''") + "'") + "::" + keyTypes.get(i);
            parts.add(keyCollations.get(i) == null ? lit : lit + " COLLATE " + keyCollations.get(i));
        }
        return parts.size() == 1 ? parts.get(0) : "ROW(" + String.join(", ", parts) + ")";
    }

    /** The rows of {@code s}: lower bound inclusive, upper exclusive, either open. */
    String predicate(Segment s) {
        List<String> parts = new ArrayList<>();
        if (s.lower() != null) {
            parts.add(keyExpression() + " >= " + literal(s.lower()));
        }
        if (s.upper() != null) {
            parts.add(keyExpression() + " < " + literal(s.upper()));
        }
        return parts.isEmpty() ? "true" : String.join(" AND ", parts);
    }

    /**
     * The sub-segment of row {@code r} given the inner bounds {@code points} (sorted): 0 below the first, i between
     * point i and i+1, exactly as the predicates of {@link Segment#split} cut.
     */
    String subSegment(List<List<String>> points) {
        if (points.isEmpty()) {
            return "0";
        }
        return "width_bucket(" + keyExpression() + ", ARRAY["
                + points.stream().map(this::literal).collect(Collectors.joining(", ")) + "])";
    }
}
