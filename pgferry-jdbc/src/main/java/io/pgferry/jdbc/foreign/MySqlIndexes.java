package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.jdbc.foreign.ForeignDialect.IndexDdl;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secondary indexes in MySQL and MariaDB. InnoDB limits an index to 16 key parts (MySQL) and 3,072 bytes, and indexes
 * {@code LONGTEXT} and {@code LONGBLOB}, the mapping's types for text and bytes outside a key, only by a prefix: the
 * bytes the fixed-size columns leave are shared among the others, each indexed by a prefix where it could be longer
 * than its share. A prefix is harmless in a plain index (it narrows a look-up, the rows are then compared whole);
 * {@code JSON} cannot be indexed at all (MySQL indexes JSON only through a generated column).
 */
final class MySqlIndexes {
    /** Key parts in one index: MySQL's limit, below MariaDB's 32. */
    static final int MAX_KEY_PARTS = 16;

    private static final Pattern SIZED = Pattern.compile("(VARCHAR|VARBINARY|CHAR)\\((\\d+)\\)");

    private MySqlIndexes() {}

    static IndexDdl create(MySqlDialect dialect, String table, String name, List<Column> columns, int keyColumns) {
        if (name.equalsIgnoreCase("PRIMARY")) {
            return IndexDdl.impossible(dialect.product() + " keeps the index name PRIMARY for the primary key");
        }
        if (columns.size() > MAX_KEY_PARTS) {
            return IndexDdl.impossible(
                    "it has " + columns.size() + " columns, more than MySQL's " + MAX_KEY_PARTS + " key parts");
        }
        int fixed = 0;
        int variable = 0;
        for (Column c : columns) {
            String declared = dialect.columnType(c, keyColumns).toUpperCase(Locale.ROOT);
            if (declared.equals("JSON")) {
                return IndexDdl.impossible(
                        "column " + c.name() + " is JSON, which " + dialect.product() + " does not index");
            }
            if (isVariable(declared)) {
                variable++;
            } else {
                fixed += fixedBytes(declared);
            }
        }
        int share = variable == 0 ? 0 : (MySqlDialect.MAX_KEY_BYTES - fixed) / variable;
        if (variable > 0 && share < 4) {
            return IndexDdl.impossible(
                    "its columns need more than InnoDB's " + MySqlDialect.MAX_KEY_BYTES + " bytes of index key");
        }
        StringBuilder sql = new StringBuilder("CREATE INDEX ")
                .append(dialect.quote(name))
                .append(" ON ")
                .append(table)
                .append(" (");
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            String declared = dialect.columnType(c, keyColumns).toUpperCase(Locale.ROOT);
            sql.append(i == 0 ? "" : ", ").append(dialect.quote(c.name()));
            if (isVariable(declared)) {
                boolean text = declared.contains("TEXT") || declared.startsWith("VARCHAR");
                int limit = text ? share / 4 : share;
                Matcher m = SIZED.matcher(declared);
                if (!m.matches() || Integer.parseInt(m.group(2)) > limit) {
                    sql.append('(').append(limit).append(')');
                }
            }
        }
        return IndexDdl.of(sql.append(')').toString());
    }

    private static boolean isVariable(String declared) {
        return declared.startsWith("VARCHAR") || declared.startsWith("VARBINARY") || declared.startsWith("LONG");
    }

    /** The most a fixed-size column takes in an index: CHAR(n) in utf8mb4 four bytes a character. */
    private static int fixedBytes(String declared) {
        Matcher m = SIZED.matcher(declared);
        if (m.matches()) {
            return 4 * Integer.parseInt(m.group(2));
        }
        return declared.startsWith("DECIMAL") ? 32 : 8;
    }
}
