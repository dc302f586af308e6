package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * SQL Server as a destination (mssql-jdbc), 2022 or later: a whole-row match uses {@code IS NOT DISTINCT FROM}. DDL
 * is transactional here, so an added column is added inside the batch. Upserts are {@code MERGE ... WITH
 * (HOLDLOCK)}, which holds the key range so that two writers cannot both insert. CI does not run a SQL Server: its
 * statements are unit-tested, and an integration test runs when {@code PGFERRY_TEST_SQLSERVER_URL} is set.
 */
public final class SqlServerDialect implements ForeignDialect {
    /** 2,100 parameters a statement at most, and 1,000 rows in a VALUES list. */
    private static final int MAX_PARAMETERS = 2000;

    private static final int MAX_VALUES_ROWS = 1000;

    private static final ValueConverter.Limits LIMITS = new ValueConverter.Limits(
            LocalDateTime.of(1, 1, 1, 0, 0), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000), false, false);

    private final ValueConverter values;

    public SqlServerDialect(Unrepresentable policy) {
        this.values = new SqlServerValues(policy);
    }

    /** timestamptz as DATETIMEOFFSET text in UTC; DECIMAL only within 38 digits. */
    private static final class SqlServerValues extends ValueConverter {
        SqlServerValues(Unrepresentable policy) {
            super(policy, LIMITS);
        }

        @Override
        boolean storesDecimal(PgType type) {
            return SqlServerTypes.decimal(type);
        }

        @Override
        Object formatTimestamp(String text, boolean zoned) {
            return zoned ? text + " +00:00" : text;
        }

        /** PostgreSQL's time reaches 24:00:00; SQL Server's TIME ends before it. */
        @Override
        Object time(Column column, String text) {
            if (text.startsWith("24:")) {
                return unrepresentable(
                        column,
                        "time 24:00:00 is outside SQL Server's TIME range, which ends at 23:59:59.9999999",
                        "23:59:59.999999");
            }
            return text;
        }
    }

    @Override
    public String product() {
        return "SQL Server";
    }

    @Override
    public String quote(String identifier) {
        Dialect.checkIdentifier(identifier);
        return '[' + identifier.replace("]", "]]") + ']';
    }

    /** PostgreSQL's {@code public} schema becomes {@code dbo}; any other keeps its name (and must exist). */
    @Override
    public TargetTable target(String schema, String table, String mapped) {
        String s = mapped != null ? mapped : schema.equals("public") ? "dbo" : schema;
        if (table.length() > 128 || s.length() > 128) {
            throw new IllegalArgumentException("a name is longer than the 128 characters SQL Server allows");
        }
        return new TargetTable(s, table);
    }

    /** SQL Server's default collations compare names without regard to case. */
    @Override
    public TargetTable identity(TargetTable table) {
        return new TargetTable(
                table.schema().toLowerCase(Locale.ROOT), table.table().toLowerCase(Locale.ROOT));
    }

    @Override
    public Object value(Relation relation, int index, String text) {
        Column c = relation.columns().get(index);
        Object v = values.convert(c, PgType.of(c), text);
        if (c.key() && relation.replicaIdentity() != ReplicaIdentity.FULL && v instanceof String s) {
            int keys = (int) relation.columns().stream().filter(Column::key).count();
            int limit = SqlServerTypes.MAX_KEY_BYTES / 2 / Math.max(1, keys);
            if (s.length() > limit) {
                return values.unrepresentable(
                        c,
                        "a key value longer than " + limit + " characters exceeds SQL Server's index limit",
                        s.substring(0, limit));
            }
            if (s.endsWith(" ")) {
                // SQL Server pads the shorter string with spaces to compare, whatever the collation: 'a ' would be
                // the key 'a' there, and a change of one would be applied to the other. CLAMP keeps it as it is.
                return values.unrepresentable(
                        c, "a key value ending in a space is the same key as the value without it in SQL Server", s);
            }
        }
        if (c.key() && relation.replicaIdentity() != ReplicaIdentity.FULL && v instanceof byte[] b) {
            // A bytea key column is VARBINARY of the index limit shared among the key columns (SqlServerTypes).
            int keys = (int) relation.columns().stream().filter(Column::key).count();
            int limit = SqlServerTypes.MAX_KEY_BYTES / Math.max(1, keys);
            if (b.length > limit) {
                return values.unrepresentable(
                        c,
                        "a key value longer than " + limit + " bytes exceeds SQL Server's index limit",
                        java.util.Arrays.copyOf(b, limit));
            }
        }
        return v;
    }

    @Override
    public void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else if (value instanceof byte[] b) {
            ps.setBytes(index, b);
        } else if (value instanceof String s) {
            ps.setNString(index, s);
        } else {
            ps.setObject(index, value);
        }
    }

    /** XACT_ABORT, so that any error rolls the whole batch back; triggers and foreign keys still fire. */
    @Override
    public ApplySession prepareApplySession(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("SET XACT_ABORT ON");
        }
        return new ApplySession(false, List.of());
    }

    @Override
    public List<String> checkServer(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT delayed_durability_desc FROM sys.databases WHERE name = DB_NAME()")) {
            if (rs.next() && "FORCED".equalsIgnoreCase(rs.getString(1))) {
                return List.of(
                        "the target database forces delayed durability, so a commit may be lost in a server crash"
                                + " after the source was told it is applied; set DELAYED_DURABILITY = DISABLED or ALLOWED");
            }
        }
        return List.of();
    }

    @Override
    public boolean hasSecondaryUnique(Connection connection, TargetTable table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT TOP 1 1 FROM sys.indexes"
                + " WHERE object_id = OBJECT_ID(?) AND is_unique = 1 AND is_primary_key = 0")) {
            ps.setString(1, qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public void insertRows(Connection c, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        int perStatement = Math.max(1, Math.min(MAX_VALUES_ROWS, MAX_PARAMETERS / columns.size()));
        MultiRowInsert.write(
                this, c, "INSERT INTO " + qualified(table) + columnList(columns), "", columns, rows, perStatement);
    }

    /**
     * A batched single-row INSERT: on a copy connection (mssql-jdbc's {@code useBulkCopyForBatchInsert}) the driver
     * sends it through SQL Server's bulk-copy API.
     */
    @Override
    public void copyRows(Connection c, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            p.append(i == 0 ? "?" : ", ?");
        }
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO " + qualified(table) + columnList(columns) + " VALUES (" + p + ")")) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    bind(ps, i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void upsertRows(
            Connection c, TargetTable table, List<Column> columns, List<Column> keys, List<Object[]> rows)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(mergeSql(table, columns, keys))) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    bind(ps, i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** {@code MERGE t WITH (HOLDLOCK) USING (VALUES (?, ...)) AS s (...) ON keys WHEN MATCHED ... NOT MATCHED ...}. */
    String mergeSql(TargetTable table, List<Column> columns, List<Column> keys) {
        StringBuilder names = new StringBuilder();
        StringBuilder params = new StringBuilder();
        StringBuilder set = new StringBuilder();
        StringBuilder insertValues = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String n = quote(columns.get(i).name());
            names.append(i == 0 ? "" : ", ").append(n);
            params.append(i == 0 ? "?" : ", ?");
            insertValues.append(i == 0 ? "" : ", ").append("s.").append(n);
            if (!columns.get(i).key()) {
                set.append(set.length() == 0 ? "" : ", ")
                        .append("t.")
                        .append(n)
                        .append(" = s.")
                        .append(n);
            }
        }
        StringBuilder on = new StringBuilder();
        for (Column k : keys) {
            String n = quote(k.name());
            on.append(on.length() == 0 ? "" : " AND ")
                    .append("t.")
                    .append(n)
                    .append(" = s.")
                    .append(n);
        }
        return "MERGE " + qualified(table) + " WITH (HOLDLOCK) AS t USING (VALUES (" + params + ")) AS s (" + names
                + ") ON " + on + (set.length() == 0 ? "" : " WHEN MATCHED THEN UPDATE SET " + set)
                + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + insertValues + ");";
    }

    /** SQL Server 2022's null-safe comparison. */
    @Override
    public String matches(Column column) {
        // A table without a key is matched on all its columns: text by code point, as PostgreSQL matched it.
        String collate = SqlServerTypes.text(PgType.of(column)) ? " COLLATE " + SqlServerTypes.BINARY : "";
        return quote(column.name()) + collate + " IS NOT DISTINCT FROM ?";
    }

    @Override
    public String oneRow(TargetTable table, String set, String where) {
        String t = qualified(table);
        return set == null
                ? "DELETE TOP (1) FROM " + t + " WHERE " + where
                : "UPDATE TOP (1) " + t + " SET " + set + " WHERE " + where;
    }

    @Override
    public void addColumn(Connection c, TargetTable table, Column column) throws SQLException {
        if (hasColumn(c, table, column.name())) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute(
                    "ALTER TABLE " + qualified(table) + " ADD " + quote(column.name()) + " " + columnType(column, 0));
        }
    }

    @Override
    public Optional<String> containerKind() {
        return Optional.of("schema");
    }

    @Override
    public boolean containerExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sys.schemas WHERE name = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public boolean hasColumn(Connection c, TargetTable table, String name) throws SQLException {
        return existingColumns(c, table).map(m -> m.containsKey(name)).orElse(false);
    }

    @Override
    public String columnType(Column column, int keyColumns) {
        return SqlServerTypes.declared(PgType.of(column), column.key(), keyColumns);
    }

    @Override
    public String createTable(TargetTable table, List<Column> columns) {
        return createTableSql(table, columns, "");
    }

    @Override
    public Optional<Map<String, String>> existingColumns(Connection c, TargetTable table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COLUMN_NAME, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE"
                        + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String type = rs.getString(2).toLowerCase(Locale.ROOT);
                    if (type.equals("decimal") || type.equals("numeric")) {
                        type = "decimal(" + rs.getInt(3) + "," + rs.getInt(4) + ")";
                    }
                    out.put(rs.getString(1), type);
                }
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** The same family as the mapping declares, and for DECIMAL at least its integer digits and scale. */
    @Override
    public boolean hasUniqueKey(Connection c, TargetTable table, Collection<String> columns) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.name, col.name, CASE WHEN i.has_filter = 0 THEN 1"
                + " ELSE 0 END FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND"
                + " ic.index_id = i.index_id JOIN sys.columns col ON col.object_id = ic.object_id AND col.column_id"
                + " = ic.column_id WHERE i.object_id = OBJECT_ID(?) AND i.is_unique = 1 AND ic.is_included_column"
                + " = 0")) {
            ps.setString(1, qualified(table));
            return UniqueKeys.any(ps, columns);
        }
    }

    /**
     * SQL Server indexes neither {@code NVARCHAR(MAX)} nor {@code VARBINARY(MAX)}, the mapping's types for text and
     * bytes outside a key, and at most 32 key columns (SQL Server docs, "Maximum capacity specifications"); the key
     * columns' own types stay within its 1,700 bytes of a nonclustered index key.
     */
    @Override
    public IndexDdl createIndex(TargetTable table, String name, List<Column> columns, int keyColumns) {
        if (columns.size() > 32) {
            return IndexDdl.impossible("it has " + columns.size() + " columns, more than SQL Server's 32");
        }
        for (Column c : columns) {
            if (columnType(c, keyColumns).contains("(MAX)")) {
                return IndexDdl.impossible("column " + c.name() + " is " + columnType(c, keyColumns)
                        + ", which SQL Server does not index");
            }
        }
        return IndexDdl.of("CREATE INDEX " + quote(name) + " ON " + qualified(table) + columnList(columns));
    }

    @Override
    public boolean indexExists(Connection c, TargetTable table, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name = ?")) {
            ps.setString(1, qualified(table));
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Optional<String> incompatibility(Column column, String declared) {
        String expected = columnType(column, 1).toLowerCase(Locale.ROOT);
        String family = expected.replaceAll("\\(.*", "");
        String have = declared.replaceAll("\\(.*", "");
        boolean ok = family.equals(have)
                || family.equals("nvarchar") && have.matches("nvarchar|nchar|ntext")
                || family.equals("float") && have.equals("float");
        if (ok && family.equals("decimal")) {
            PgType t = PgType.of(column);
            var m = java.util.regex.Pattern.compile("decimal\\((\\d+),(\\d+)\\)")
                    .matcher(declared);
            ok = m.find()
                    && Integer.parseInt(m.group(2)) >= t.scale()
                    && Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2)) >= t.precision() - t.scale();
        }
        return ok ? Optional.empty() : Optional.of("is " + declared + " but " + expected + " is needed");
    }

    @Override
    public String anyRowSql(TargetTable table) {
        return "SELECT TOP 1 1 FROM " + qualified(table);
    }

    @Override
    public String now() {
        return "SYSUTCDATETIME()";
    }

    @Override
    public Optional<String> dropCatalogSchema(String schema) {
        // Only when nothing else is in it; DROP SCHEMA must be alone in its batch, hence EXEC.
        String s = schema.replace("'", "''");
        return Optional.of("IF SCHEMA_ID(N'" + s + "') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sys.objects WHERE"
                + " schema_id = SCHEMA_ID(N'" + s + "')) EXEC(N'DROP SCHEMA "
                + quote(schema).replace("'", "''")
                + "')");
    }

    @Override
    public List<String> catalogDdl(String schema) {
        String s = schema.replace("'", "''");
        return List.of(
                "IF SCHEMA_ID(N'" + s + "') IS NULL EXEC(N'CREATE SCHEMA "
                        + quote(schema).replace("'", "''") + "')",
                "IF OBJECT_ID(N'" + catalogTable(schema, "sync_progress").replace("'", "''")
                        + "') IS NULL CREATE TABLE "
                        + catalogTable(schema, "sync_progress") + " (sync_name NVARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " fingerprint NVARCHAR(MAX), lsn BIGINT, source_commit_time DATETIME2(6),"
                        + " updated_at DATETIME2(6) NOT NULL DEFAULT SYSUTCDATETIME(), exact_from BIGINT)",
                "IF OBJECT_ID(N'" + catalogTable(schema, "table_state").replace("'", "''") + "') IS NULL CREATE TABLE "
                        + catalogTable(schema, "table_state") + " (sync_name NVARCHAR(200) NOT NULL, source_table"
                        + " NVARCHAR(250) NOT NULL, target_schema NVARCHAR(128) NOT NULL, target_table NVARCHAR(128) NOT"
                        + " NULL, state NVARCHAR(32) NOT NULL, rows_copied BIGINT NOT NULL DEFAULT 0, bytes_copied BIGINT"
                        + " NOT NULL DEFAULT 0, created_by_sync BIT NOT NULL DEFAULT 0, error NVARCHAR(MAX),"
                        + " updated_at DATETIME2(6) NOT NULL DEFAULT SYSUTCDATETIME(), apply_from BIGINT,"
                        + " PRIMARY KEY (sync_name, source_table))",
                "IF OBJECT_ID(N'" + catalogTable(schema, "source_state").replace("'", "''") + "') IS NULL CREATE TABLE "
                        + catalogTable(schema, "source_state") + " (sync_name NVARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " wal_lsn BIGINT, slot_status NVARCHAR(16), slot_confirmed_flush BIGINT, slot_retained_bytes"
                        + " BIGINT, observed_at DATETIME2(6) NOT NULL DEFAULT SYSUTCDATETIME(),"
                        + " caught_up_at DATETIME2(6))",
                // The key's 888 bytes stay under the 900 of a clustered index.
                "IF OBJECT_ID(N'" + catalogTable(schema, "copy_range").replace("'", "''") + "') IS NULL CREATE TABLE "
                        + catalogTable(schema, "copy_range") + " (sync_name NVARCHAR(200) NOT NULL, relation"
                        + " NVARCHAR(240) NOT NULL, from_block BIGINT NOT NULL, rows_copied BIGINT NOT NULL,"
                        + " done_at DATETIME2(6) NOT NULL DEFAULT SYSUTCDATETIME(),"
                        + " PRIMARY KEY (sync_name, relation, from_block))",
                // The key's 884 bytes stay under the 900 of a clustered index.
                "IF OBJECT_ID(N'" + catalogTable(schema, "copy_chunk").replace("'", "''") + "') IS NULL CREATE TABLE "
                        + catalogTable(schema, "copy_chunk") + " (sync_name NVARCHAR(200) NOT NULL, source_table"
                        + " NVARCHAR(512) NOT NULL, relation NVARCHAR(240) NOT NULL, chunk INT NOT NULL, lower_bound"
                        + " NVARCHAR(MAX), upper_bound NVARCHAR(MAX), rows_copied BIGINT, last_key NVARCHAR(MAX),"
                        + " done_at DATETIME2(6), PRIMARY KEY (sync_name, relation, chunk))");
    }
}
