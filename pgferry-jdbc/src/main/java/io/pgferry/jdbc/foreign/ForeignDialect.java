package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A destination that is not PostgreSQL: besides the statements of {@link Dialect}, it maps PostgreSQL types to its
 * own (the mapping is documented in {@code docs/destinations.md}), names its tables after the source's, and creates
 * and checks them. Values are converted by {@link #value} under the sync's {@link Unrepresentable} policy.
 */
public interface ForeignDialect extends Dialect {
    /** Commits are durable when they return (a server set otherwise is warned about by {@link #checkServer}). */
    @Override
    default long[] walPositions(Connection connection) {
        return null;
    }

    /**
     * {@code DELETE FROM} the table, inside the batch: TRUNCATE is DDL in MySQL (it would commit the batch without its
     * position) and missing in SQLite. The sink truncates one table a statement; the created tables have no foreign
     * keys or identities for CASCADE or RESTART IDENTITY to reach.
     */
    @Override
    default String truncate(List<TargetTable> tables, boolean cascade, boolean restartIdentity) {
        return "DELETE FROM " + qualified(tables.get(0));
    }

    /** {@code DELETE FROM} names one table: the sink truncates one table a statement. */
    @Override
    default boolean truncatesManyTables() {
        return false;
    }

    /** NULL as SQL NULL, bytes as bytes, numbers, booleans and text as the driver maps them. */
    @Override
    default void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else if (value instanceof byte[] b) {
            ps.setBytes(index, b);
        } else if (value instanceof java.math.BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else {
            ps.setObject(index, value);
        }
    }

    /** The product, for messages: {@code MariaDB}, {@code MySQL}, {@code SQLite}. */
    String product();

    /**
     * The destination table of source table {@code schema.table}: {@code mapped} is the schema map's entry for the
     * source schema, or null. Throws {@link IllegalArgumentException} for a name the destination cannot hold.
     */
    TargetTable target(String schema, String table, String mapped);

    /**
     * What the destination calls the container a {@link TargetTable#schema()} names ({@code "database"} in MySQL,
     * {@code "schema"} in SQL Server), or empty where the name is only a prefix of the table's (SQLite) and there is
     * nothing to create first.
     */
    default Optional<String> containerKind() {
        return Optional.empty();
    }

    /**
     * Whether the container {@code schema} exists (see {@link #containerKind}): pgferry creates tables, never
     * databases or schemas, so one that is missing stops the sync before anything is created. True where there is
     * none.
     */
    default boolean containerExists(Connection c, String schema) throws SQLException {
        return true;
    }

    /**
     * {@code table} as the destination tells tables apart: two names with the same key are one table there. Exact by
     * default (MySQL's table names are case-sensitive on Linux, its default).
     */
    default TargetTable identity(TargetTable table) {
        return table;
    }

    /** The destination type declared for {@code column}; {@code keyColumns} counts the columns of its key, if one. */
    String columnType(Column column, int keyColumns);

    /** {@code CREATE TABLE} for {@code columns} (key columns form the primary key, in column order). */
    String createTable(TargetTable table, List<Column> columns);

    /**
     * The columns of an existing destination table, by name, with their declared type in lower case; empty when the
     * table does not exist.
     */
    Optional<Map<String, String>> existingColumns(Connection c, TargetTable table) throws SQLException;

    /**
     * Whether an existing destination table has a primary key or a unique index on exactly {@code columns}, in any
     * order, with neither a filter nor a prefix or expression part: what an upsert by the source's key needs to find
     * the row it replaces.
     */
    boolean hasUniqueKey(Connection c, TargetTable table, Collection<String> columns) throws SQLException;

    /**
     * Why an existing column declared {@code declared} cannot hold {@code column}'s values as the mapping writes them,
     * or empty when it can.
     */
    Optional<String> incompatibility(Column column, String declared);

    /**
     * A secondary index as this destination builds it: the statement, or why it cannot index those columns (then
     * {@code sql} is null).
     */
    record IndexDdl(String sql, String impossible) {
        public static IndexDdl of(String sql) {
            return new IndexDdl(sql, null);
        }

        public static IndexDdl impossible(String why) {
            return new IndexDdl(null, why);
        }
    }

    /**
     * {@code CREATE INDEX} of a plain (not unique) index named {@code name} on {@code columns} of {@code table}, in
     * that order, as {@link #createTable} declared them ({@code keyColumns} counts the columns of the table's key).
     */
    IndexDdl createIndex(TargetTable table, String name, List<Column> columns, int keyColumns);

    /** Whether {@code table} has an index named {@code name} (as {@link #indexName} gives it). */
    boolean indexExists(Connection c, TargetTable table, String name) throws SQLException;

    /**
     * The name at this destination of the source's index {@code index} of {@code table}: the source's own, where
     * index names belong to a table (MySQL, SQL Server).
     */
    default String indexName(TargetTable table, String index) {
        return index;
    }

    /** {@code " (a, b, c)"}: the quoted column names. */
    default String columnList(List<Column> columns) {
        StringBuilder s = new StringBuilder(" (");
        for (int i = 0; i < columns.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(quote(columns.get(i).name()));
        }
        return s.append(')').toString();
    }

    /**
     * {@code CREATE TABLE t (c type, ..., PRIMARY KEY (k, ...))} followed by {@code options}: every column by {@link
     * #columnType}, key columns NOT NULL and forming the primary key in column order.
     */
    default String createTableSql(TargetTable table, List<Column> columns, String options) {
        int keys = (int) columns.stream().filter(Column::key).count();
        StringBuilder s =
                new StringBuilder("CREATE TABLE ").append(qualified(table)).append(" (");
        StringBuilder pk = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            s.append(i == 0 ? "" : ", ").append(quote(c.name())).append(' ').append(columnType(c, keys));
            if (c.key()) {
                s.append(" NOT NULL");
                pk.append(pk.length() == 0 ? "" : ", ").append(quote(c.name()));
            }
        }
        if (pk.length() > 0) {
            s.append(", PRIMARY KEY (").append(pk).append(')');
        }
        return s.append(')').append(options).toString();
    }

    /** A query returning a row when {@code table} holds any. */
    default String anyRowSql(TargetTable table) {
        return "SELECT 1 FROM " + qualified(table) + " LIMIT 1";
    }

    /** How many connections should write the initial copy at once, given {@code requested} workers. */
    default int copyWriters(int requested) {
        return requested;
    }

    /** Checks the server before anything is created: settings the sync relies on; warnings worth one line each. */
    default List<String> checkServer(Connection c) throws SQLException {
        return List.of();
    }
}
