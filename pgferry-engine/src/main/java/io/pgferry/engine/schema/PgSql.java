package io.pgferry.engine.schema;

import io.pgferry.postgres.catalog.Identifiers;

/** SQL text for PostgreSQL names: every identifier double-quoted (see {@link Identifiers}). */
public final class PgSql {
    private PgSql() {}

    public static String quote(String identifier) {
        return Identifiers.quote(identifier);
    }

    public static String qualified(String schema, String name) {
        return Identifiers.qualified(schema, name);
    }

    /** A string literal, quotes doubled; for DDL only (enum labels), never for row values. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
