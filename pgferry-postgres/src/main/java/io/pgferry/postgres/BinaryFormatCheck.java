package io.pgferry.postgres;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.value.PgValues;
import io.pgferry.postgres.catalog.CatalogTypes;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * With the {@code binary} option pgoutput sends every column in binary format. pgferry decodes the binary form of the
 * built-in types only, so the columns of the published tables are checked before streaming starts: a type it cannot
 * decode (and render as PostgreSQL's exact text) would otherwise stop the stream at its first row.
 */
final class BinaryFormatCheck {
    private static final String COLUMNS = "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod)"
            + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " ORDER BY a.attnum";

    private BinaryFormatCheck() {}

    static void require(Connection sql, List<TableName> tables, CatalogTypes types) throws SQLException {
        for (TableName t : tables) {
            try (PreparedStatement ps = sql.prepareStatement(COLUMNS)) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int oid = (int) rs.getLong(2);
                        types.load(List.of(oid));
                        if (!PgValues.hasExactBinaryForm(oid, types)) {
                            throw PgFerryException.fatal(
                                    "column " + rs.getString(1) + " of " + t + " has type " + rs.getString(3)
                                            + ", whose binary form pgferry cannot decode exactly",
                                    "stream without the binary option (text format carries every type exactly)");
                        }
                    }
                }
            }
        }
    }
}
