package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code INSERT ... VALUES (?, ...), (?, ...), ...}: many rows a round trip, for destinations without a bulk
 * protocol on this path. Rows go in statements of {@code perStatement} rows and one for the remainder.
 */
final class MultiRowInsert {
    private MultiRowInsert() {}

    /**
     * @param prefix {@code INSERT INTO t (a, b)}
     * @param suffix appended after the VALUES list ({@code ON DUPLICATE KEY UPDATE ...}), or empty
     */
    static void write(
            Dialect d,
            Connection c,
            String prefix,
            String suffix,
            List<Column> columns,
            List<Object[]> rows,
            int perStatement)
            throws SQLException {
        int width = columns.size();
        int full = rows.size() / perStatement;
        if (full > 0) {
            try (PreparedStatement ps = c.prepareStatement(sql(prefix, suffix, width, perStatement))) {
                for (int s = 0; s < full; s++) {
                    bindRows(d, ps, rows, s * perStatement, perStatement, width);
                    ps.executeUpdate();
                }
            }
        }
        int rest = rows.size() - full * perStatement;
        if (rest > 0) {
            try (PreparedStatement ps = c.prepareStatement(sql(prefix, suffix, width, rest))) {
                bindRows(d, ps, rows, full * perStatement, rest, width);
                ps.executeUpdate();
            }
        }
    }

    private static void bindRows(Dialect d, PreparedStatement ps, List<Object[]> rows, int from, int n, int width)
            throws SQLException {
        int p = 1;
        for (int r = from; r < from + n; r++) {
            Object[] row = rows.get(r);
            for (int i = 0; i < width; i++) {
                d.bind(ps, p++, row[i]);
            }
        }
    }

    static String sql(String prefix, String suffix, int width, int rows) {
        StringBuilder one = new StringBuilder("(");
        for (int i = 0; i < width; i++) {
            one.append(i == 0 ? "?" : ", ?");
        }
        one.append(')');
        StringBuilder s = new StringBuilder(prefix.length() + suffix.length() + rows * (one.length() + 2) + 8);
        s.append(prefix).append(" VALUES ");
        for (int r = 0; r < rows; r++) {
            s.append(r == 0 ? "" : ", ").append(one);
        }
        return s.append(suffix).toString();
    }
}
