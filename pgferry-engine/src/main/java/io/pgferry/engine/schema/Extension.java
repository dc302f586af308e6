package io.pgferry.engine.schema;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An extension of the source's whose type a synced column has ({@code citext}, {@code hstore}, PostGIS's {@code
 * geometry}), in the schema its objects live in. A target that lacks the type gets the extension created in that
 * schema, as pg_dump and pgcopydb bring extensions along, when its server has it (PostgreSQL docs, "Packaging Related
 * Objects into an Extension" and "pg_available_extensions"); otherwise the table is refused with the fix, before
 * anything is created.
 */
record Extension(String name, String schema) {
    /**
     * Checks that {@code target} can create this extension for column {@code column} of {@code table}: its server
     * has it and it is not installed in another schema (the column's type would then be elsewhere).
     *
     * @throws PgFerryException (fatal) naming the column, the type and the fix
     */
    void checkAvailable(Connection target, TableName table, ColumnDef column) throws SQLException {
        String where =
                "column " + column.name() + " of " + table + " has type " + column.typeSql() + " of extension " + name;
        try (PreparedStatement ps = target.prepareStatement("SELECT a.installed_version, n.nspname"
                + " FROM pg_catalog.pg_available_extensions a LEFT JOIN pg_catalog.pg_extension x ON x.extname = a.name"
                + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace WHERE a.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PgFerryException.fatal(
                            where + ", which the target server does not have",
                            "install the extension's package on the target server (it is not in"
                                    + " pg_available_extensions there), or create the table at the target yourself");
                }
                if (rs.getString(1) != null) {
                    throw PgFerryException.fatal(
                            where + ", which the target has in schema " + rs.getString(2) + ", not in " + schema,
                            "move it (ALTER EXTENSION " + PgSql.quote(name) + " SET SCHEMA " + PgSql.quote(schema)
                                    + ") if it is relocatable, or create the table at the target yourself");
                }
            }
        }
    }

    /** Creates the extension at the target, in its schema, on {@code st}. */
    void create(Statement st) throws SQLException {
        try {
            st.execute("CREATE EXTENSION IF NOT EXISTS " + PgSql.quote(name) + " SCHEMA " + PgSql.quote(schema));
        } catch (SQLException e) {
            throw PgFerryException.fatal(
                    "could not create extension " + name + " in schema " + schema + " at the target: "
                            + JdbcErrors.definitionError(e),
                    "create it there as a role that may (CREATE EXTENSION " + PgSql.quote(name) + " SCHEMA "
                            + PgSql.quote(schema) + "), then start the sync again",
                    e);
        }
    }
}
