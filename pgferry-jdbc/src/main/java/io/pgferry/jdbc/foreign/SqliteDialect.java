package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A SQLite file as a destination (sqlite-jdbc). Tables are {@code STRICT}, so SQLite stores each value in the declared
 * type instead of converting it by affinity, and live in the main database: SQLite has no schemas, so a source
 * schema becomes a table-name prefix ({@code sales.orders} → {@code sales_orders}; tables of {@code public} keep
 * their name; {@code --schema-map} chooses another prefix). The file runs in WAL mode, so readers never block the
 * apply; commits are durable when they return with {@code synchronous = FULL} (the default), and survive a process
 * crash but not a power loss with {@code NORMAL}.
 */
public final class SqliteDialect implements ForeignDialect {
    /** SQLite's text holds any date; only REAL lacks NaN (it stores NULL), so only NaN is unrepresentable. */
    private static final ValueConverter.Limits LIMITS =
            new ValueConverter.Limits(LocalDateTime.MIN, LocalDateTime.MAX, false, true);

    private final ValueConverter values;

    public SqliteDialect(Unrepresentable policy) {
        this.values = new SqliteValues(policy);
    }

    /** Dates as ISO-8601 text; timestamptz in UTC with a Z; booleans as 0 and 1. */
    private static final class SqliteValues extends ValueConverter {
        SqliteValues(Unrepresentable policy) {
            super(policy, LIMITS);
        }

        @Override
        boolean storesDecimal(PgType type) {
            return false;
        }

        @Override
        Object bool(String text) {
            return "t".equals(text) ? 1L : 0L;
        }

        @Override
        Object date(Column column, String text) {
            return text.equals("infinity") || text.equals("-infinity") ? text : super.date(column, text);
        }

        @Override
        Object timestamp(Column column, String text, boolean zoned) {
            return text.equals("infinity") || text.equals("-infinity") ? text : super.timestamp(column, text, zoned);
        }

        @Override
        Object formatTimestamp(String text, boolean zoned) {
            return zoned ? text.replace(' ', 'T') + "Z" : text;
        }
    }

    @Override
    public String product() {
        return "SQLite";
    }

    @Override
    public String quote(String identifier) {
        Dialect.checkIdentifier(identifier);
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public TargetTable target(String schema, String table, String mapped) {
        String prefix = mapped != null ? mapped : schema.equals("public") ? "" : schema + "_";
        return new TargetTable("main", prefix + table);
    }

    /** SQLite compares names with ASCII letters folded to one case, and other characters as they are. */
    @Override
    public TargetTable identity(TargetTable table) {
        return new TargetTable(asciiLower(table.schema()), asciiLower(table.table()));
    }

    private static String asciiLower(String name) {
        StringBuilder s = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            s.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return s.toString();
    }

    @Override
    public String catalogTable(String schema, String name) {
        return quote("main") + "." + quote(schema + "_" + name);
    }

    /** Milliseconds since the epoch, which sqlite-jdbc reads back as a timestamp. */
    @Override
    public String now() {
        return "(CAST(unixepoch('subsec') * 1000 AS INTEGER))";
    }

    @Override
    public Object value(Relation relation, int index, String text) {
        Column c = relation.columns().get(index);
        return values.convert(c, PgType.of(c), text);
    }

    @Override
    public ApplySession prepareApplySession(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            // synchronous is a connection property (JdbcTarget): FULL or NORMAL for the apply, OFF for the copy.
            st.execute("PRAGMA foreign_keys = OFF");
        }
        return new ApplySession(true, List.of());
    }

    /** One writer at a time: SQLite serialises writers on the file, so more connections only wait. */
    @Override
    public int copyWriters(int requested) {
        return 1;
    }

    @Override
    public boolean hasSecondaryUnique(Connection connection, TargetTable table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin <> 'pk' LIMIT 1")) {
            ps.setString(1, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Multi-row INSERTs of up to 200 rows (and SQLite's 32,766 parameters): each statement step crosses from Java into
     * SQLite once, not once a row.
     */
    @Override
    public void insertRows(Connection c, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        int perStatement = Math.max(1, Math.min(200, 32_000 / columns.size()));
        MultiRowInsert.write(
                this, c, "INSERT INTO " + qualified(table) + columnList(columns), "", columns, rows, perStatement);
    }

    @Override
    public void upsertRows(
            Connection c, TargetTable table, List<Column> columns, List<Column> keys, List<Object[]> rows)
            throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO ")
                .append(qualified(table))
                .append(columnList(columns))
                .append(placeholders(columns.size()))
                .append(" ON CONFLICT (");
        for (int i = 0; i < keys.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(quote(keys.get(i).name()));
        }
        StringBuilder update = new StringBuilder();
        for (Column col : columns) {
            if (!col.key()) {
                String n = quote(col.name());
                update.append(update.length() == 0 ? "" : ", ")
                        .append(n)
                        .append(" = excluded.")
                        .append(n);
            }
        }
        sql.append(update.length() == 0 ? ") DO NOTHING" : ") DO UPDATE SET " + update);
        write(c, sql.toString(), rows);
    }

    private void write(Connection c, String sql, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    bind(ps, i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String placeholders(int n) {
        StringBuilder s = new StringBuilder(" VALUES (");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "?" : ", ?");
        }
        return s.append(')').toString();
    }

    /** {@code IS}: SQLite's null-safe equality. */
    @Override
    public String matches(Column column) {
        return quote(column.name()) + " IS ?";
    }

    @Override
    public String oneRow(TargetTable table, String set, String where) {
        String t = qualified(table);
        String pick = "rowid = (SELECT rowid FROM " + t + " WHERE " + where + " LIMIT 1)";
        return set == null ? "DELETE FROM " + t + " WHERE " + pick : "UPDATE " + t + " SET " + set + " WHERE " + pick;
    }

    @Override
    public void addColumn(Connection c, TargetTable table, Column column) throws SQLException {
        if (hasColumn(c, table, column.name())) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + qualified(table) + " ADD COLUMN " + quote(column.name()) + " "
                    + columnType(column, 0));
        }
    }

    @Override
    public boolean hasColumn(Connection c, TargetTable table, String name) throws SQLException {
        return existingColumns(c, table).map(m -> m.containsKey(name)).orElse(false);
    }

    @Override
    public String columnType(Column column, int keyColumns) {
        return SqliteTypes.declared(PgType.of(column));
    }

    @Override
    public String createTable(TargetTable table, List<Column> columns) {
        return createTableSql(table, columns, " STRICT");
    }

    @Override
    public Optional<Map<String, String>> existingColumns(Connection c, TargetTable table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")) {
            ps.setString(1, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    @Override
    public boolean hasUniqueKey(Connection c, TargetTable table, Collection<String> columns) throws SQLException {
        // The primary key of a rowid table with one INTEGER PRIMARY KEY column has no index of its own.
        try (PreparedStatement ps = c.prepareStatement("SELECT '', name, 1 FROM pragma_table_info(?1) WHERE pk > 0"
                + " UNION ALL SELECT l.name, i.name, NOT l.partial FROM pragma_index_list(?1) l,"
                + " pragma_index_info(l.name) i WHERE l.\"unique\"")) {
            ps.setString(1, table.table());
            return UniqueKeys.any(ps, columns);
        }
    }

    /** SQLite's index names belong to the database, as its table names do: the table's name goes first. */
    @Override
    public String indexName(TargetTable table, String index) {
        return table.table() + "_" + index;
    }

    /** Every type is indexable whole in SQLite. */
    @Override
    public IndexDdl createIndex(TargetTable table, String name, List<Column> columns, int keyColumns) {
        // The index takes the schema; the table it names is in that schema (SQLite docs, "CREATE INDEX").
        return IndexDdl.of("CREATE INDEX " + quote(table.schema()) + "." + quote(name) + " ON " + quote(table.table())
                + columnList(columns));
    }

    @Override
    public boolean indexExists(Connection c, TargetTable table, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Optional<String> incompatibility(Column column, String declared) {
        String expected = SqliteTypes.declared(PgType.of(column)).toLowerCase(Locale.ROOT);
        boolean ok = declared.equals(expected)
                || declared.equals("any")
                || expected.equals("integer") && declared.equals("int");
        return ok ? Optional.empty() : Optional.of("is " + declared + " but " + expected + " is needed");
    }

    @Override
    public List<String> catalogDdl(String schema) {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "sync_progress") + " (sync_name TEXT PRIMARY KEY,"
                        + " fingerprint TEXT, lsn INTEGER, source_commit_time INTEGER,"
                        + " updated_at INTEGER NOT NULL DEFAULT " + now() + ", exact_from INTEGER)",
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "table_state") + " (sync_name TEXT NOT NULL,"
                        + " source_table TEXT NOT NULL, target_schema TEXT NOT NULL, target_table TEXT NOT NULL,"
                        + " state TEXT NOT NULL, rows_copied INTEGER NOT NULL DEFAULT 0, bytes_copied INTEGER NOT NULL"
                        + " DEFAULT 0, created_by_sync INTEGER NOT NULL DEFAULT 0, error TEXT,"
                        + " updated_at INTEGER NOT NULL DEFAULT " + now() + ", apply_from INTEGER,"
                        + " PRIMARY KEY (sync_name, source_table))",
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "source_state") + " (sync_name TEXT PRIMARY KEY,"
                        + " wal_lsn INTEGER, slot_status TEXT, slot_confirmed_flush INTEGER, slot_retained_bytes"
                        + " INTEGER, observed_at INTEGER NOT NULL DEFAULT " + now() + ", caught_up_at INTEGER)",
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "copy_range") + " (sync_name TEXT NOT NULL,"
                        + " relation TEXT NOT NULL, from_block INTEGER NOT NULL, rows_copied INTEGER NOT NULL,"
                        + " done_at INTEGER NOT NULL DEFAULT " + now() + ", PRIMARY KEY (sync_name, relation,"
                        + " from_block))",
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "copy_chunk") + " (sync_name TEXT NOT NULL,"
                        + " source_table TEXT NOT NULL, relation TEXT NOT NULL, chunk INTEGER NOT NULL, lower_bound"
                        + " TEXT, upper_bound TEXT, rows_copied INTEGER, last_key TEXT, done_at INTEGER,"
                        + " PRIMARY KEY (sync_name, relation, chunk))");
    }
}
