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
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MySQL and MariaDB as a destination (through MariaDB Connector/J for both). Tables are InnoDB, {@code utf8mb4} with
 * a binary no-pad collation, so that keys compare as PostgreSQL's text does: by code point, case and trailing spaces
 * significant. Sessions run in UTC with strict SQL mode, so a value that does not fit fails instead of being cut.
 *
 * <p>DDL commits the open transaction in MySQL and MariaDB ({@link #transactionalDdl()} is false) and TRUNCATE is
 * DDL there, so a TRUNCATE from the source is applied as {@code DELETE}, inside the batch.
 */
public final class MySqlDialect implements ForeignDialect {
    /** InnoDB's largest index key with the DYNAMIC row format, in bytes; utf8mb4 takes up to 4 bytes a character. */
    static final int MAX_KEY_BYTES = 3072;

    static final int MAX_IDENTIFIER = 64;
    /** Rows per multi-row INSERT: well under the 65,535 placeholders a statement may have. */
    private static final int ROWS_PER_INSERT = 500;

    private static final ValueConverter.Limits LIMITS = new ValueConverter.Limits(
            LocalDateTime.of(1, 1, 1, 0, 0), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000), false, false);

    private final String database;
    private final ValueConverter values;
    private final boolean mariadb;
    private volatile Boolean localInfile;

    /**
     * @param database the database named in the target URI, which holds the sync's own tables and, unless mapped
     *     elsewhere, the synced tables
     * @param mariadb whether the server is MariaDB (its no-pad collation has another name)
     * @param localInfile whether connections may send LOAD DATA LOCAL INFILE data (the initial copy's bulk path)
     */
    public MySqlDialect(String database, Unrepresentable policy, boolean mariadb, boolean localInfile) {
        this.database = database;
        this.values = new ValueConverter(policy, LIMITS);
        this.mariadb = mariadb;
        this.localInfile = localInfile ? null : Boolean.FALSE;
    }

    @Override
    public String product() {
        return mariadb ? "MariaDB" : "MySQL";
    }

    @Override
    public String quote(String identifier) {
        Dialect.checkIdentifier(identifier);
        return '`' + identifier.replace("`", "``") + '`';
    }

    @Override
    public TargetTable target(String schema, String table, String mapped) {
        String db = mapped != null ? mapped : database;
        checkName(db, "database");
        checkName(table, "table");
        return new TargetTable(db, table);
    }

    private static void checkName(String name, String what) {
        if (name.codePointCount(0, name.length()) > MAX_IDENTIFIER) {
            throw new IllegalArgumentException(
                    what + " name " + name + " is longer than the " + MAX_IDENTIFIER + " characters MySQL allows");
        }
    }

    @Override
    public String catalogTable(String schema, String name) {
        return quote(database) + "." + quote(schema + "_" + name);
    }

    @Override
    public boolean transactionalDdl() {
        return false;
    }

    @Override
    public Object value(Relation relation, int index, String text) {
        Column c = relation.columns().get(index);
        PgType type = PgType.of(c);
        Object v = values.convert(c, type, text);
        if (c.key() && relation.replicaIdentity() != ReplicaIdentity.FULL && v instanceof String s) {
            int limit = keyLength(relation);
            if (s.codePointCount(0, s.length()) > limit) {
                return values.unrepresentable(
                        c,
                        "a key value longer than " + limit + " characters exceeds " + product() + "'s index limit",
                        s.substring(0, s.offsetByCodePoints(0, limit)));
            }
        }
        if (c.key() && relation.replicaIdentity() != ReplicaIdentity.FULL && v instanceof byte[] b) {
            // A bytea key column is VARBINARY of the index limit shared among the key columns (MySqlTypes).
            int limit = MAX_KEY_BYTES / keyColumns(relation);
            if (b.length > limit) {
                return values.unrepresentable(
                        c,
                        "a key value longer than " + limit + " bytes exceeds " + product() + "'s index limit",
                        Arrays.copyOf(b, limit));
            }
        }
        return v;
    }

    /** The characters each text key column of {@code relation} gets: the index limit shared among them. */
    private static int keyLength(Relation relation) {
        return MAX_KEY_BYTES / 4 / keyColumns(relation);
    }

    private static int keyColumns(Relation relation) {
        int keys = 0;
        for (Column c : relation.columns()) {
            if (c.key()) {
                keys++;
            }
        }
        return Math.max(1, keys);
    }

    /**
     * UTC, so that DATETIME values are read back as written; strict mode, so that nothing is cut or replaced
     * silently; foreign-key checks off, as PostgreSQL's own subscriber applies changes.
     */
    @Override
    public ApplySession prepareApplySession(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("SET NAMES utf8mb4");
            st.execute("SET time_zone = '+00:00'");
            st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
            st.execute("SET foreign_key_checks = 0");
        }
        return new ApplySession(true, List.of());
    }

    @Override
    public List<String> checkServer(Connection c) throws SQLException {
        List<String> warnings = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@innodb_flush_log_at_trx_commit")) {
            if (rs.next() && rs.getInt(1) != 1) {
                warnings.add("innodb_flush_log_at_trx_commit is " + rs.getInt(1) + " at the target, so a commit may be"
                        + " lost in a server crash after the source was told it is applied; set it to 1 for"
                        + " exactly-once delivery");
            }
        }
        return warnings;
    }

    @Override
    public boolean hasSecondaryUnique(Connection connection, TargetTable table) throws SQLException {
        return anyRow(
                connection,
                "SELECT 1 FROM information_schema.statistics"
                        + " WHERE table_schema = ? AND table_name = ? AND non_unique = 0 AND index_name <> 'PRIMARY' LIMIT 1",
                table.schema(),
                table.table());
    }

    @Override
    public void insertRows(Connection c, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        MultiRowInsert.write(
                this, c, "INSERT INTO " + qualified(table) + columnList(columns), "", columns, rows, ROWS_PER_INSERT);
    }

    /**
     * {@code LOAD DATA LOCAL INFILE} streamed from memory when the server allows it ({@code local_infile}) and the
     * primary key is the table's only unique index, else multi-row INSERTs. The character set is named ({@code
     * utf8mb4}) and the duplicate policy explicit ({@code REPLACE}: the copy's row is the source's). REPLACE deletes
     * the rows a new row conflicts with on any unique index, so with a second one (an existing target table's) it
     * could silently drop another row; the INSERTs fail on such a conflict instead. With LOCAL the server turns data
     * errors into warnings, as it cannot stop the client's upload, so any warning fails the run instead of leaving a
     * value silently altered.
     */
    @Override
    public void copyRows(Connection c, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        if (!localInfile(c) || hasSecondaryUnique(c, table)) {
            insertRows(c, table, columns, rows);
            return;
        }
        StringBuilder cols = new StringBuilder();
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column col = columns.get(i);
            cols.append(i == 0 ? "" : ", ");
            if (PgType.of(col).kind() == PgType.Kind.BYTEA) {
                cols.append("@v").append(i);
                set.append(set.length() == 0 ? " SET " : ", ")
                        .append(quote(col.name()))
                        .append(" = UNHEX(@v")
                        .append(i)
                        .append(')');
            } else {
                cols.append(quote(col.name()));
            }
        }
        LoadDataText text = new LoadDataText(rows.size() * 64);
        text.rows(rows);
        String sql = "LOAD DATA LOCAL INFILE 'pgferry-copy.tsv' REPLACE INTO TABLE " + qualified(table)
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'"
                + " (" + cols + ")" + set;
        try (Statement st = c.createStatement()) {
            st.unwrap(org.mariadb.jdbc.Statement.class)
                    .setLocalInfileInputStream(new java.io.ByteArrayInputStream(text.bytes()));
            st.execute(sql);
            try (ResultSet rs = st.executeQuery("SHOW COUNT(*) WARNINGS")) {
                if (rs.next() && rs.getLong(1) > 0) {
                    throw new SQLException(
                            "LOAD DATA into " + table + " reported " + rs.getLong(1) + " warnings: values would have"
                                    + " been altered",
                            "22000");
                }
            }
        }
    }

    /** Whether the client may and the server accepts LOAD DATA LOCAL INFILE; read once. */
    private boolean localInfile(Connection c) throws SQLException {
        Boolean known = localInfile;
        if (known == null) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @@local_infile")) {
                known = rs.next() && rs.getInt(1) == 1;
            }
            localInfile = known;
        }
        return known;
    }

    /**
     * {@code ON DUPLICATE KEY UPDATE} fires on a conflict with any unique index, and would then overwrite another
     * row: used only when the primary key is the table's only unique index; otherwise each row is deleted by key,
     * then inserted.
     */
    @Override
    public void upsertRows(
            Connection c, TargetTable table, List<Column> columns, List<Column> keys, List<Object[]> rows)
            throws SQLException {
        if (hasSecondaryUnique(c, table)) {
            StringBuilder where = new StringBuilder();
            for (Column k : keys) {
                where.append(where.length() == 0 ? "" : " AND ").append(equalsKey(k));
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + qualified(table) + " WHERE " + where)) {
                for (Object[] row : rows) {
                    int n = 1;
                    for (int i = 0; i < columns.size(); i++) {
                        if (columns.get(i).key()) {
                            bind(del, n++, row[i]);
                        }
                    }
                    del.addBatch();
                }
                del.executeBatch();
            }
            insertRows(c, table, columns, rows);
            return;
        }
        StringBuilder update = new StringBuilder();
        for (Column col : columns) {
            if (!col.key()) {
                String n = quote(col.name());
                update.append(update.length() == 0 ? " ON DUPLICATE KEY UPDATE " : ", ")
                        .append(n)
                        .append(" = VALUES(")
                        .append(n)
                        .append(')');
            }
        }
        if (update.length() == 0) {
            // Every column is the key: a row that exists is left as it is. Not INSERT IGNORE, which also turns data
            // errors (a value too long for its column) into warnings and writes the value cut.
            String n = quote(keys.get(0).name());
            update.append(" ON DUPLICATE KEY UPDATE ").append(n).append(" = ").append(n);
        }
        String prefix = "INSERT INTO " + qualified(table) + columnList(columns);
        MultiRowInsert.write(this, c, prefix, update.toString(), columns, rows, ROWS_PER_INSERT);
    }

    /** The null-safe equality operator: NULL matches NULL, as a replica identity FULL match needs. */
    @Override
    public String matches(Column column) {
        return quote(column.name()) + " <=> ?";
    }

    @Override
    public String oneRow(TargetTable table, String set, String where) {
        String t = qualified(table);
        return set == null
                ? "DELETE FROM " + t + " WHERE " + where + " LIMIT 1"
                : "UPDATE " + t + " SET " + set + " WHERE " + where + " LIMIT 1";
    }

    @Override
    public void addColumn(Connection c, TargetTable table, Column column) throws SQLException {
        if (hasColumn(c, table, column.name())) {
            return; // MySQL has no ADD COLUMN IF NOT EXISTS (MariaDB has)
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + qualified(table) + " ADD COLUMN " + quote(column.name()) + " "
                    + columnType(column, 0));
        }
    }

    /**
     * DDL commits at once here, so the existing rows get their value in the ALTER TABLE itself, as a default dropped
     * right after: filled by a later UPDATE instead, a crash between the two would leave them NULL for good (the
     * restarted sync knows the column from the source and adds nothing). The value is bound as a parameter, which the
     * driver writes into the statement as a literal (its prepared statements are client-side by default).
     */
    @Override
    public void addColumn(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        if (existing == null || hasColumn(c, table, column.name())) {
            addColumn(c, table, column);
            fillAdded(c, table, relation, column, existing);
            return;
        }
        addWithDefault(c, table, relation, column, existing);
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + qualified(table) + " ALTER COLUMN " + quote(column.name()) + " DROP DEFAULT");
        }
    }

    /** The column keeps {@code existing} as its default: see the contract. */
    @Override
    public void addColumnIfAbsent(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        if (hasColumn(c, table, column.name())) {
            return;
        }
        if (existing == null) {
            addColumn(c, table, column);
        } else {
            addWithDefault(c, table, relation, column, existing);
        }
    }

    private void addWithDefault(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("ALTER TABLE " + qualified(table) + " ADD COLUMN "
                + quote(column.name()) + " " + columnType(column, 0) + " DEFAULT (?)")) {
            bind(ps, 1, value(relation, relation.indexOf(column.name()), existing));
            ps.execute();
        }
    }

    @Override
    public Optional<String> containerKind() {
        return Optional.of("database");
    }

    @Override
    public boolean containerExists(Connection c, String schema) throws SQLException {
        return anyRow(c, "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", schema);
    }

    @Override
    public boolean hasColumn(Connection c, TargetTable table, String name) throws SQLException {
        return anyRow(
                c,
                "SELECT 1 FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?",
                table.schema(),
                table.table(),
                name);
    }

    @Override
    public String columnType(Column column, int keyColumns) {
        return MySqlTypes.declared(PgType.of(column), column.key(), keyColumns);
    }

    @Override
    public String createTable(TargetTable table, List<Column> columns) {
        return createTableSql(table, columns, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation());
    }

    /** Binary and no-pad: 'a' and 'a ' are two keys, as in PostgreSQL. */
    String collation() {
        return mariadb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    }

    @Override
    public Optional<Map<String, String>> existingColumns(Connection c, TargetTable table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name, column_type FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
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
        try (PreparedStatement ps = c.prepareStatement("SELECT index_name, column_name, sub_part IS NULL FROM"
                + " information_schema.statistics WHERE table_schema = ? AND table_name = ? AND non_unique = 0")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            return UniqueKeys.any(ps, columns);
        }
    }

    @Override
    public Optional<String> incompatibility(Column column, String declared) {
        return MySqlTypes.incompatibility(PgType.of(column), declared);
    }

    @Override
    public IndexDdl createIndex(TargetTable table, String name, List<Column> columns, int keyColumns) {
        return MySqlIndexes.create(this, qualified(table), name, columns, keyColumns);
    }

    @Override
    public boolean indexExists(Connection c, TargetTable table, String name) throws SQLException {
        return anyRow(
                c,
                "SELECT 1 FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND index_name = ?",
                table.schema(),
                table.table(),
                name);
    }

    /** Whether {@code sql}, its parameters bound to {@code values} in order, returns a row. */
    private static boolean anyRow(Connection c, String sql, String... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public List<String> catalogDdl(String schema) {
        String collate = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation();
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "sync_progress") + " (sync_name VARCHAR(255)"
                        + " NOT NULL PRIMARY KEY, fingerprint TEXT, lsn BIGINT, source_commit_time DATETIME(6),"
                        + " updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), exact_from BIGINT)" + collate,
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "table_state") + " (sync_name VARCHAR(255) NOT"
                        + " NULL, source_table VARCHAR(512) NOT NULL, target_schema VARCHAR(64) NOT NULL, target_table"
                        + " VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, rows_copied BIGINT NOT NULL DEFAULT 0,"
                        + " bytes_copied BIGINT NOT NULL DEFAULT 0, created_by_sync BOOLEAN NOT NULL DEFAULT FALSE,"
                        + " error TEXT, updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                        + " apply_from BIGINT, PRIMARY KEY (sync_name, source_table))" + collate,
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "source_state") + " (sync_name VARCHAR(255)"
                        + " NOT NULL PRIMARY KEY, wal_lsn BIGINT, slot_status VARCHAR(16), slot_confirmed_flush BIGINT,"
                        + " slot_retained_bytes BIGINT, observed_at DATETIME(6) NOT NULL DEFAULT"
                        + " CURRENT_TIMESTAMP(6), caught_up_at DATETIME(6))" + collate,
                // The key's 3,028 bytes in utf8mb4 stay under InnoDB's 3,072.
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "copy_range") + " (sync_name VARCHAR(255) NOT"
                        + " NULL, relation VARCHAR(500) NOT NULL, from_block BIGINT NOT NULL, rows_copied BIGINT NOT"
                        + " NULL, done_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                        + " PRIMARY KEY (sync_name, relation, from_block))" + collate,
                // Bounds and the last key copied are JSON arrays of the key's text values.
                "CREATE TABLE IF NOT EXISTS " + catalogTable(schema, "copy_chunk") + " (sync_name VARCHAR(255) NOT"
                        + " NULL, source_table VARCHAR(512) NOT NULL, relation VARCHAR(500) NOT NULL, chunk INT NOT"
                        + " NULL, lower_bound LONGTEXT, upper_bound LONGTEXT, rows_copied BIGINT, last_key LONGTEXT,"
                        + " done_at DATETIME(6), PRIMARY KEY (sync_name, relation, chunk))" + collate);
    }

    @Override
    public String now() {
        return "CURRENT_TIMESTAMP(6)";
    }
}
