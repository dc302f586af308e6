package io.pgferry.jdbc.foreign;

import java.util.Optional;

/**
 * PostgreSQL types as MySQL and MariaDB columns, chosen so that nothing is lost (the table in {@code
 * docs/destinations.md} is this class in prose). Text outside a key is {@code LONGTEXT}, which the row-size limit
 * does not touch; text in a key is {@code VARCHAR} sized to share InnoDB's index limit among the key columns.
 */
final class MySqlTypes {
    /** DECIMAL's limits in MySQL and MariaDB. */
    static final int MAX_DECIMAL_PRECISION = 65;

    static final int MAX_DECIMAL_SCALE = 30;

    private MySqlTypes() {}

    static String declared(PgType t, boolean key, int keyColumns) {
        int keyChars = MySqlDialect.MAX_KEY_BYTES / 4 / Math.max(1, keyColumns);
        return switch (t.kind()) {
            case BOOL -> "BOOLEAN";
            case INT2 -> "SMALLINT";
            case INT4 -> "INT";
            case INT8 -> "BIGINT";
            case FLOAT4 -> "FLOAT";
            case FLOAT8 -> "DOUBLE";
            case NUMERIC -> decimal(t) ? "DECIMAL(" + t.precision() + "," + t.scale() + ")" : text(key, keyChars);
            case BYTEA -> key ? "VARBINARY(" + MySqlDialect.MAX_KEY_BYTES / Math.max(1, keyColumns) + ")" : "LONGBLOB";
            case UUID -> "CHAR(36)";
            case DATE -> "DATE";
            case TIME -> "TIME(6)";
            case TIMESTAMP, TIMESTAMPTZ -> "DATETIME(6)";
            case JSON, ARRAY -> key ? "VARCHAR(" + keyChars + ")" : "JSON";
            default -> text(key, keyChars);
        };
    }

    /** numeric(p, s) with p and s within DECIMAL's limits; any other numeric keeps its exact text. */
    static boolean decimal(PgType t) {
        return t.constrainedDecimal() && t.precision() <= MAX_DECIMAL_PRECISION && t.scale() <= MAX_DECIMAL_SCALE;
    }

    private static String text(boolean key, int keyChars) {
        return key ? "VARCHAR(" + keyChars + ")" : "LONGTEXT";
    }

    /**
     * Whether an existing column declared {@code declared} (information_schema's column_type, lower case) holds what
     * the mapping writes: the same family, and for DECIMAL at least the precision and scale.
     */
    static Optional<String> incompatibility(PgType t, String declared) {
        String family =
                declared.replaceAll("\\(.*", "").replace(" unsigned", "").trim();
        boolean ok =
                switch (t.kind()) {
                    case BOOL -> family.equals("tinyint") || family.equals("boolean");
                    case INT2 -> family.matches("smallint|int|mediumint|bigint|decimal");
                    case INT4 -> family.matches("int|bigint|decimal");
                    case INT8 -> family.matches("bigint|decimal");
                    case FLOAT4 -> family.matches("float|double");
                    case FLOAT8 -> family.equals("double");
                    case NUMERIC -> decimal(t) ? decimalHolds(declared, t) : textual(family);
                    case BYTEA -> family.matches("tinyblob|blob|mediumblob|longblob|varbinary|binary");
                    case DATE -> family.matches("date|datetime");
                    case TIME -> family.equals("time");
                    case TIMESTAMP, TIMESTAMPTZ -> family.equals("datetime");
                    case JSON, ARRAY -> family.equals("json") || textual(family);
                    default -> textual(family);
                };
        return ok
                ? Optional.empty()
                : Optional.of("is " + declared + ", which cannot hold " + what(t) + " (expected "
                        + declared(t, false, 1) + ")");
    }

    private static boolean textual(String family) {
        return family.matches("char|varchar|tinytext|text|mediumtext|longtext|json");
    }

    private static boolean decimalHolds(String declared, PgType t) {
        var m = java.util.regex.Pattern.compile("decimal\\((\\d+),(\\d+)\\)").matcher(declared);
        if (!m.find()) {
            return false;
        }
        int p = Integer.parseInt(m.group(1));
        int s = Integer.parseInt(m.group(2));
        return s >= t.scale() && p - s >= t.precision() - t.scale();
    }

    private static String what(PgType t) {
        return t.kind() == PgType.Kind.NUMERIC && t.precision() > 0
                ? "numeric(" + t.precision() + "," + t.scale() + ")"
                : t.kind().name().toLowerCase(java.util.Locale.ROOT);
    }
}
