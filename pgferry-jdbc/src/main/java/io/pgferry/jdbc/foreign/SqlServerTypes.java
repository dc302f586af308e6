package io.pgferry.jdbc.foreign;

/**
 * PostgreSQL types as SQL Server columns (the table in {@code docs/destinations.md}). Text is {@code NVARCHAR}, so
 * every Unicode character survives; text in a key shares the 900-byte limit of a clustered index key among the key
 * columns (two bytes a character), and compares by code point ({@link #BINARY}), as PostgreSQL's keys do: under the
 * database's default collation, case-insensitive in most installations, {@code 'a'} and {@code 'A'} would be one key.
 */
final class SqlServerTypes {
    /** The largest key of a clustered index, in bytes. */
    static final int MAX_KEY_BYTES = 900;

    static final int MAX_DECIMAL_PRECISION = 38;

    /** Code-point comparison, case- and accent-sensitive (SQL Server docs, "Collation and Unicode support"). */
    static final String BINARY = "Latin1_General_100_BIN2";

    private SqlServerTypes() {}

    static String declared(PgType t, boolean key, int keyColumns) {
        int keyBytes = MAX_KEY_BYTES / Math.max(1, keyColumns);
        return switch (t.kind()) {
            case BOOL -> "BIT";
            case INT2 -> "SMALLINT";
            case INT4 -> "INT";
            case INT8 -> "BIGINT";
            case FLOAT4 -> "REAL";
            case FLOAT8 -> "FLOAT(53)";
            case NUMERIC -> decimal(t) ? "DECIMAL(" + t.precision() + "," + t.scale() + ")" : text(key, keyBytes);
            case BYTEA -> key ? "VARBINARY(" + keyBytes + ")" : "VARBINARY(MAX)";
            case UUID -> "UNIQUEIDENTIFIER";
            case DATE -> "DATE";
            case TIME -> "TIME(6)";
            case TIMESTAMP -> "DATETIME2(6)";
            case TIMESTAMPTZ -> "DATETIMEOFFSET(6)";
            default -> text(key, keyBytes);
        };
    }

    /** Whether {@code t} is held as text ({@code NVARCHAR}). */
    static boolean text(PgType t) {
        return declared(t, false, 1).startsWith("NVARCHAR");
    }

    /** numeric(p, s) within DECIMAL's 38 digits; any other numeric keeps its exact text. */
    static boolean decimal(PgType t) {
        return t.constrainedDecimal() && t.precision() <= MAX_DECIMAL_PRECISION;
    }

    private static String text(boolean key, int keyBytes) {
        return key ? "NVARCHAR(" + keyBytes / 2 + ") COLLATE " + BINARY : "NVARCHAR(MAX)";
    }
}
