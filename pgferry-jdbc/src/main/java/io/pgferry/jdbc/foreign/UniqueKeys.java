package io.pgferry.jdbc.foreign;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a table's unique indexes from a catalog query and tells whether one is on exactly a set of columns ({@link
 * ForeignDialect#hasUniqueKey}). The query returns one row per indexed column: the index's name, the column's name
 * (null for an expression) and whether the index can serve as a key (false for a filtered or prefix index).
 */
final class UniqueKeys {
    private UniqueKeys() {}

    static boolean any(PreparedStatement query, Collection<String> columns) throws SQLException {
        Map<String, Set<String>> indexes = new HashMap<>();
        Set<String> unusable = new HashSet<>();
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                String index = rs.getString(1);
                String column = rs.getString(2);
                if (column == null || !rs.getBoolean(3)) {
                    unusable.add(index);
                }
                indexes.computeIfAbsent(index, k -> new HashSet<>()).add(column);
            }
        }
        Set<String> key = new HashSet<>(columns);
        return indexes.entrySet().stream()
                .anyMatch(e -> !unusable.contains(e.getKey()) && e.getValue().equals(key));
    }
}
