package io.pgferry.verify.inspect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A column of the subscriber's table as a repair needs it.
 *
 * @param type the SQL type as format_type prints it, for casts of literals
 * @param generated a generated column: never written, its value follows the others
 * @param identityAlways {@code GENERATED ALWAYS AS IDENTITY}: written only with OVERRIDING SYSTEM VALUE
 */
record ColumnInfo(String name, String type, boolean generated, boolean identityAlways) {

    /** The live columns of {@code relation} (a regclass text), by name in byte order. */
    static List<ColumnInfo> of(Connection c, String relation) throws SQLException {
        List<ColumnInfo> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, pg_catalog.format_type(a.atttypid,"
                + " a.atttypmod), a.attgenerated <> '', a.attidentity = 'a' FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attname COLLATE \"C\"")) {
            st.setString(1, relation);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new ColumnInfo(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }
}
