package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL as a destination. Runs of inserts go through {@code COPY ... FROM STDIN} in text format (see the
 * PostgreSQL docs, "COPY", File Formats: Text Format); values are bound untyped, so the server reads each in the
 * column's own input function, exactly as the source's output function wrote it.
 */
public final class PostgresDialect implements Dialect {
    /**
     * Types without a default btree equality operator (json, xml, the geometric types; box and circle compare by
     * area): a whole-row match compares their text instead. Built-in OIDs, pg_type.dat.
     */
    private static final Set<Integer> NO_EQUALITY =
            Set.of(114, 199, 142, 143, 600, 1017, 601, 1018, 602, 1019, 603, 1020, 604, 1027, 628, 629, 718, 719);

    private static final int COPY_BUFFER = 1 << 16;

    /** Column types by connection and table; a connection's entry goes with the connection (weak keys). */
    private final Map<Connection, Map<TargetTable, Map<String, String>>> columnTypes = new WeakHashMap<>();

    @Override
    public String quote(String identifier) {
        Dialect.checkIdentifier(identifier);
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code session_replication_role = replica} keeps user triggers and foreign-key checks from firing, as in
     * PostgreSQL's own apply worker (see the docs, "Logical Replication", Triggers). Setting it needs superuser, or
     * on PostgreSQL 15 and later a {@code GRANT SET ON PARAMETER}; without it the apply still works, with triggers
     * and checks firing.
     *
     * <p>{@code synchronous_commit = off}, as PostgreSQL's own subscriptions default to: a commit returns without
     * waiting for its WAL flush, and {@link #walPositions} tells when it is durable (docs, "Asynchronous Commit").
     *
     * <p>{@code row_security = off}: a statement that a row-level security policy would filter for the role fails
     * instead (docs, "row_security"), where an UPDATE or DELETE would otherwise leave the hidden rows alone.
     */
    @Override
    public ApplySession prepareApplySession(Connection connection) throws SQLException {
        List<String> warnings = new ArrayList<>();
        boolean off = true;
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            st.execute("SET synchronous_commit = off");
            st.execute("SET row_security = off");
            if (!setReplicaRole(st)) {
                off = false;
                warnings.add("the target role may not set session_replication_role, so triggers and foreign-key"
                        + " checks fire during apply; GRANT SET ON PARAMETER session_replication_role TO the role"
                        + " (PostgreSQL 15+) or use a superuser to apply as PostgreSQL's own subscriber does");
            }
        } finally {
            connection.setAutoCommit(auto);
        }
        return new ApplySession(off, warnings);
    }

    /**
     * Sets {@code session_replication_role = replica} in {@code st}'s session, so that no user trigger or foreign-key
     * check fires there (see {@link #prepareApplySession}); false when the role may not set it (SQLSTATE 42501), which
     * leaves the session as it was and the caller to say what follows.
     */
    public static boolean setReplicaRole(Statement st) throws SQLException {
        try {
            st.execute("SET session_replication_role = replica");
            return true;
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public long[] walPositions(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT (pg_catalog.pg_current_wal_insert_lsn() - '0/0')::bigint,"
                        + " (pg_catalog.pg_current_wal_flush_lsn() - '0/0')::bigint")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    @Override
    public boolean hasSecondaryUnique(Connection connection, TargetTable table) throws SQLException {
        return exists(
                connection,
                table,
                "SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = ?::regclass"
                        + " AND (i.indisunique OR i.indisexclusion) AND NOT i.indisprimary");
    }

    /** A trigger enabled {@code ALWAYS} or {@code REPLICA} fires with {@code session_replication_role = replica}. */
    @Override
    public boolean firesTriggersWhenOff(Connection connection, TargetTable table) throws SQLException {
        return exists(
                connection,
                table,
                "SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = ?::regclass AND NOT t.tgisinternal"
                        + " AND t.tgenabled IN ('A', 'R')");
    }

    /** Whether {@code query}, given {@code table} as its one parameter, returns a row. */
    private boolean exists(Connection connection, TargetTable table, String query) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT EXISTS (" + query + ")")) {
            ps.setString(1, qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Override
    public void insertRows(Connection connection, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        StringBuilder sql = new StringBuilder("COPY ").append(qualified(table)).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(quote(columns.get(i).name()));
        }
        sql.append(") FROM STDIN");
        CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
        try {
            CopyText buffer = new CopyText(COPY_BUFFER);
            for (Object[] row : rows) {
                buffer.row(row);
                if (buffer.size() >= COPY_BUFFER) {
                    in.writeToCopy(buffer.bytes(), 0, buffer.size());
                    buffer.clear();
                }
            }
            if (buffer.size() > 0) {
                in.writeToCopy(buffer.bytes(), 0, buffer.size());
            }
            in.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (in.isActive()) {
                in.cancelCopy();
            }
            throw e;
        }
    }

    /**
     * {@code UPDATE t SET c = v.c::type ... FROM unnest(?::text[], ...) AS v(...) WHERE t.k = v.k::type}: one plan
     * and one round trip for the whole run. Each value is cast from its text by the column type's input function, as
     * an untyped parameter would be.
     */
    @Override
    public int updateMany(Connection c, TargetTable table, List<Column> keys, List<Column> set, List<Object[]> rows)
            throws SQLException {
        Map<String, String> types = columnTypes(c, table);
        StringBuilder sql =
                new StringBuilder("UPDATE ").append(qualified(table)).append(" AS t SET ");
        for (int i = 0; i < set.size(); i++) {
            String n = quote(set.get(i).name());
            sql.append(i == 0 ? "" : ", ")
                    .append(n)
                    .append(" = v.")
                    .append(n)
                    .append("::")
                    .append(type(types, table, set.get(i)));
        }
        List<Column> all = new ArrayList<>(keys);
        all.addAll(set);
        sql.append(" FROM ").append(unnest(all)).append(" WHERE ").append(keyJoin(types, table, keys));
        return bulk(c, sql.toString(), all.size(), rows);
    }

    /**
     * {@code INSERT ... SELECT v.c::type ... FROM unnest(...) ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c}: one
     * statement for the run (see the PostgreSQL docs, "INSERT", ON CONFLICT Clause). A run never holds one key twice:
     * the source's key forbids two inserts of a key without a change between them, which ends the run.
     */
    @Override
    public void upsertRows(
            Connection c, TargetTable table, List<Column> columns, List<Column> keys, List<Object[]> rows)
            throws SQLException {
        Map<String, String> types = columnTypes(c, table);
        StringBuilder sql =
                new StringBuilder("INSERT INTO ").append(qualified(table)).append(" (");
        StringBuilder select = new StringBuilder();
        StringBuilder update = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column col = columns.get(i);
            String n = quote(col.name());
            sql.append(i == 0 ? "" : ", ").append(n);
            select.append(i == 0 ? "" : ", ")
                    .append("v.")
                    .append(n)
                    .append("::")
                    .append(type(types, table, col));
            if (!col.key()) {
                update.append(update.length() == 0 ? "" : ", ")
                        .append(n)
                        .append(" = EXCLUDED.")
                        .append(n);
            }
        }
        sql.append(") SELECT ")
                .append(select)
                .append(" FROM ")
                .append(unnest(columns))
                .append(" ON CONFLICT (");
        for (int i = 0; i < keys.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(quote(keys.get(i).name()));
        }
        sql.append(update.length() == 0 ? ") DO NOTHING" : ") DO UPDATE SET " + update);
        bulk(c, sql.toString(), columns.size(), rows);
    }

    @Override
    public int deleteMany(Connection c, TargetTable table, List<Column> keys, List<Object[]> rows) throws SQLException {
        Map<String, String> types = columnTypes(c, table);
        String sql = "DELETE FROM " + qualified(table) + " AS t USING " + unnest(keys) + " WHERE "
                + keyJoin(types, table, keys);
        return bulk(c, sql, keys.size(), rows);
    }

    private String unnest(List<Column> columns) {
        StringBuilder s = new StringBuilder("unnest(");
        for (int i = 0; i < columns.size(); i++) {
            s.append(i == 0 ? "" : ", ").append("?::text[]");
        }
        s.append(") AS v(");
        for (int i = 0; i < columns.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(quote(columns.get(i).name()));
        }
        return s.append(')').toString();
    }

    private String keyJoin(Map<String, String> types, TargetTable table, List<Column> keys) throws SQLException {
        StringBuilder s = new StringBuilder();
        for (Column k : keys) {
            String n = quote(k.name());
            s.append(s.length() == 0 ? "" : " AND ")
                    .append("t.")
                    .append(n)
                    .append(" = v.")
                    .append(n)
                    .append("::")
                    .append(type(types, table, k));
        }
        return s.toString();
    }

    private static int bulk(Connection c, String sql, int width, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int col = 0; col < width; col++) {
                String[] values = new String[rows.size()];
                for (int r = 0; r < values.length; r++) {
                    values[r] = (String) rows.get(r)[col];
                }
                ps.setArray(col + 1, c.createArrayOf("text", values));
            }
            return ps.executeUpdate();
        }
    }

    private static String type(Map<String, String> types, TargetTable table, Column column) throws SQLException {
        String t = types.get(column.name());
        if (t == null) {
            throw new SQLException("column " + column.name() + " of " + table + " is missing at the target", "42703");
        }
        return t;
    }

    /**
     * The destination's column types as {@code format_type} prints them, schema-qualified where needed (read with
     * a search_path of pg_catalog alone, then restored); cached per connection and table.
     */
    private Map<String, String> columnTypes(Connection c, TargetTable table) throws SQLException {
        Map<TargetTable, Map<String, String>> perConnection;
        synchronized (columnTypes) {
            perConnection = columnTypes.computeIfAbsent(c, k -> new HashMap<>());
        }
        Map<String, String> known = perConnection.get(table);
        if (known != null) {
            return known;
        }
        Map<String, String> types = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname, pg_catalog.format_type(a.atttypid,"
                        + " a.atttypmod), n.nspname, t.typname, t.typtype, t.typcategory FROM pg_catalog.pg_attribute a"
                        + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid JOIN pg_catalog.pg_namespace n"
                        + " ON n.oid = t.typnamespace WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String nsp = rs.getString(3);
                    // A type outside pg_catalog is named with its schema; format_type only qualifies it when it is
                    // not visible, so build the name here. Arrays of such types keep format_type's text.
                    String t = "pg_catalog".equals(nsp) || "A".equals(rs.getString(6))
                            ? rs.getString(2)
                            : quote(nsp) + "." + quote(rs.getString(4));
                    types.put(rs.getString(1), t);
                }
            }
        }
        perConnection.put(table, types);
        return types;
    }

    /** Built-in type OIDs are the same in every PostgreSQL cluster, so the target names the source's type. */
    @Override
    public void addColumn(Connection c, TargetTable table, Column column) throws SQLException {
        add(c, table, column, null, false);
    }

    /**
     * A new column gets the existing rows' value as PostgreSQL itself gives it at the source: a default stored once
     * (no row rewritten), dropped at once so that the target keeps no default of its own. A column already there has
     * its NULLs filled.
     */
    @Override
    public void addColumn(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        // A column already there is not added again: its type may be a user type (added while the sync was
        // stopped), whose OID at the source names nothing, or something else, at the target.
        if (hasColumn(c, table, column.name())) {
            // Added by another writer (a second sink task), after this connection read the table's columns.
            forgetColumnTypes(c, table);
            fillAdded(c, table, relation, column, existing);
        } else {
            add(c, table, column, existing, false);
        }
    }

    /** The column keeps {@code existing} as its default at the target: see the contract. */
    @Override
    public void addColumnIfAbsent(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        if (hasColumn(c, table, column.name())) {
            forgetColumnTypes(c, table);
        } else {
            add(c, table, column, existing, true);
        }
    }

    @Override
    public boolean hasColumn(Connection c, TargetTable table, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class k ON k.oid = a.attrelid JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = k.relnamespace WHERE n.nspname = ? AND k.relname = ? AND a.attname = ? AND a.attnum > 0"
                + " AND NOT a.attisdropped")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void add(Connection c, TargetTable table, Column column, String existing, boolean keepDefault)
            throws SQLException {
        String type;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(?, ?)")) {
            ps.setLong(1, column.typeOid());
            if (column.typeModifier() < 0) {
                ps.setNull(2, java.sql.Types.INTEGER);
            } else {
                ps.setInt(2, column.typeModifier());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                type = rs.getString(1);
            }
        }
        try (Statement st = c.createStatement()) {
            String add = "ALTER TABLE " + qualified(table) + " ADD COLUMN IF NOT EXISTS " + quote(column.name()) + " "
                    + type;
            if (existing == null) {
                st.execute(add);
            } else {
                // An escape string literal reads the same whatever standard_conforming_strings says.
                st.execute(add + " DEFAULT E'" + existing.replace("\\", "\\\\").replace("'", "''") + "'::" + type);
                if (!keepDefault) {
                    st.execute("ALTER TABLE " + qualified(table) + " ALTER COLUMN " + quote(column.name())
                            + " DROP DEFAULT");
                }
            }
        }
        forgetColumnTypes(c, table);
    }

    /** The next write to {@code table} on {@code c} reads its columns again. */
    void forgetColumnTypes(Connection c, TargetTable table) {
        synchronized (columnTypes) {
            Map<TargetTable, Map<String, String>> perConnection = columnTypes.get(c);
            if (perConnection != null) {
                perConnection.remove(table);
            }
        }
    }

    @Override
    public String matches(Column column) {
        String name = quote(column.name());
        return NO_EQUALITY.contains(column.typeOid())
                ? name + "::text IS NOT DISTINCT FROM ?::text"
                : name + " IS NOT DISTINCT FROM ?";
    }

    @Override
    public String truncate(List<TargetTable> tables, boolean cascade, boolean restartIdentity) {
        StringBuilder s = new StringBuilder("TRUNCATE ");
        for (int i = 0; i < tables.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(qualified(tables.get(i)));
        }
        if (restartIdentity) {
            s.append(" RESTART IDENTITY");
        }
        if (cascade) {
            s.append(" CASCADE");
        }
        return s.toString();
    }

    /** Picks one row by (tableoid, ctid): ctid alone repeats across the partitions of a partitioned table. */
    @Override
    public String oneRow(TargetTable table, String set, String where) {
        String t = qualified(table);
        String pick = "(tableoid, ctid) = (SELECT tableoid, ctid FROM " + t + " WHERE " + where + " LIMIT 1)";
        return set == null ? "DELETE FROM " + t + " WHERE " + pick : "UPDATE " + t + " SET " + set + " WHERE " + pick;
    }

    @Override
    public Optional<String> dropCatalogSchema(String schema) {
        // RESTRICT (the default): a schema the user also keeps other objects in stays.
        return Optional.of("DROP SCHEMA IF EXISTS " + quote(schema));
    }

    @Override
    public List<String> catalogDdl(String schema) {
        String s = quote(schema);
        return List.of(
                "CREATE SCHEMA IF NOT EXISTS " + s,
                "CREATE TABLE IF NOT EXISTS " + s + ".sync_progress (sync_name text PRIMARY KEY,"
                        + " fingerprint text, lsn bigint, source_commit_time timestamptz,"
                        + " updated_at timestamptz NOT NULL DEFAULT now(), exact_from bigint)",
                "ALTER TABLE " + s + ".sync_progress ADD COLUMN IF NOT EXISTS exact_from bigint",
                "CREATE TABLE IF NOT EXISTS " + s + ".table_state (sync_name text NOT NULL, source_table text NOT"
                        + " NULL, target_schema text NOT NULL, target_table text NOT NULL, state text NOT NULL,"
                        + " rows_copied bigint NOT NULL DEFAULT 0, bytes_copied bigint NOT NULL DEFAULT 0,"
                        + " created_by_sync boolean NOT NULL DEFAULT false, error text,"
                        + " updated_at timestamptz NOT NULL DEFAULT now(), apply_from bigint,"
                        + " PRIMARY KEY (sync_name, source_table))",
                "ALTER TABLE " + s + ".table_state ADD COLUMN IF NOT EXISTS apply_from bigint",
                "CREATE TABLE IF NOT EXISTS " + s + ".copy_chunk (sync_name text NOT NULL, source_table text NOT NULL,"
                        + " relation text NOT NULL, chunk integer NOT NULL, lower_bound text[], upper_bound text[],"
                        + " rows_copied bigint, done_at timestamptz, PRIMARY KEY (sync_name, relation, chunk))",
                "CREATE TABLE IF NOT EXISTS " + s + ".copy_range (sync_name text NOT NULL, relation text NOT NULL,"
                        + " from_block bigint NOT NULL, rows_copied bigint NOT NULL,"
                        + " done_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (sync_name, relation, from_block))",
                "CREATE TABLE IF NOT EXISTS " + s + ".source_state (sync_name text PRIMARY KEY, wal_lsn bigint,"
                        + " slot_status text, slot_confirmed_flush bigint, slot_retained_bytes bigint,"
                        + " observed_at timestamptz NOT NULL DEFAULT now(), caught_up_at timestamptz)",
                "ALTER TABLE " + s + ".source_state ADD COLUMN IF NOT EXISTS caught_up_at timestamptz");
    }
}
