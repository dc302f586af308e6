package io.pgferry.jdbc.foreign;

/**
 * PostgreSQL types as SQLite STRICT column types. SQLite has five storage classes; everything that is not an integer,
 * a float or bytes is kept as text in the exact form the mapping writes (numeric's exact digits, ISO-8601 dates,
 * JSON arrays), since SQLite's NUMERIC affinity would turn decimals into floats.
 */
final class SqliteTypes {
    private SqliteTypes() {}

    static String declared(PgType t) {
        return switch (t.kind()) {
            case BOOL, INT2, INT4, INT8 -> "INTEGER";
            case FLOAT4, FLOAT8 -> "REAL";
            case BYTEA -> "BLOB";
            default -> "TEXT";
        };
    }
}
