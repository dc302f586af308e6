package io.pgferry.engine;

import io.pgferry.postgres.Identifiers;

/** SQL text for PostgreSQL names: every identifier double-quoted (see {@link Identifiers}). */
final class PgSql {
    private PgSql() {}

    static String quote(String identifier) {
        return Identifiers.quote(identifier);
    }

    static String qualified(String schema, String name) {
        return Identifiers.qualified(schema, name);
    }

    /** A string literal, quotes doubled; for DDL only (enum labels), never for row values. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
