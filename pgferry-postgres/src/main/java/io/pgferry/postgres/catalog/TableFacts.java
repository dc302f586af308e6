package io.pgferry.postgres.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What the catalogs say about one table, read with one query: shared by the readiness checks (which report) and
 * the stream's set-up (which refuses). See the PostgreSQL docs, "pg_class", "pg_index" and ALTER TABLE ...
 * REPLICA IDENTITY.
 *
 * @param relkind pg_class.relkind: 'r' table, 'p' partitioned table, 'v' view, ...
 * @param replident pg_class.relreplident: 'd' default, 'n' nothing, 'f' full, 'i' index
 * @param hasPrimaryKey the table has a primary key
 * @param hasIdentityIndex the table has a valid index marked as its replica identity
 * @param canSelect the current role may SELECT from it
 * @param owns the current role owns it (or is a member of the owning role)
 */
public record TableFacts(
        char relkind,
        char replident,
        boolean hasPrimaryKey,
        boolean hasIdentityIndex,
        boolean canSelect,
        boolean owns) {
    private static final String SQL = "SELECT c.relkind, c.relreplident,"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident"
            + " AND i.indisvalid),"
            + " pg_catalog.has_table_privilege(c.oid, 'SELECT'),"
            + " pg_catalog.pg_has_role(c.relowner, 'USAGE')"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ?";

    /** The facts about {@code t}, or empty when no relation of that name exists. */
    public static Optional<TableFacts> read(Connection c, TableName t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new TableFacts(
                        rs.getString(1).charAt(0),
                        rs.getString(2).charAt(0),
                        rs.getBoolean(3),
                        rs.getBoolean(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6)));
            }
        }
    }

    /** A table or a partitioned table: the only relations a publication can hold. */
    public boolean isTable() {
        return relkind == 'r' || relkind == 'p';
    }

    /**
     * A description of the usable replica identity, or null when UPDATE and DELETE on the table cannot be identified
     * (PostgreSQL then rejects them once the table is in a publication that publishes them).
     */
    public String identity() {
        return switch (replident) {
            case 'd' -> hasPrimaryKey ? "replica identity default (primary key)" : null;
            case 'i' -> hasIdentityIndex ? "replica identity index" : null;
            case 'f' -> "replica identity full (whole old rows)";
            default -> null;
        };
    }

    /** What the relation is, in words. */
    public String kind() {
        return switch (relkind) {
            case 'r' -> "table";
            case 'p' -> "partitioned table";
            case 'v' -> "view";
            case 'm' -> "materialized view";
            case 'f' -> "foreign table";
            case 'S' -> "sequence";
            case 'i', 'I' -> "index";
            case 'c' -> "composite type";
            case 't' -> "TOAST table";
            default -> "relation of kind '" + relkind + "'";
        };
    }
}
