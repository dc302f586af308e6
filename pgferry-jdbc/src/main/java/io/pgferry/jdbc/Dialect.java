package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;

/**
 * What differs between destination databases: identifier quoting, session set-up, how a run of inserts is written,
 * how a column is compared with a bound value, and how the sync's own bookkeeping tables are declared. The
 * {@link JdbcSink} builds every statement through these methods, so a new destination is a new dialect.
 *
 * <p>Values are always bound as parameters, never spliced into SQL: each arrives in PostgreSQL's text form and is
 * turned into what the destination stores by {@link #value}, once, when the change reaches the sink.
 */
public interface Dialect {
    /**
     * The value to bind for column {@code index} of {@code relation} whose PostgreSQL text form is {@code text}
     * (never null). PostgreSQL binds the text itself; other destinations convert it through their type mapping.
     *
     * @throws UnrepresentableValueException when the destination cannot hold the value and the policy says to stop
     */
    default Object value(Relation relation, int index, String text) {
        return text;
    }

    /** Binds a value made by {@link #value}, or SQL NULL for null. */
    default void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.OTHER);
        } else {
            ps.setObject(index, value, Types.OTHER);
        }
    }

    /** A table of the sync's own bookkeeping, qualified: {@code name} in the catalog's {@code schema}. */
    default String catalogTable(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /** The SQL expression of the current time that the catalog's timestamp columns store. */
    default String now() {
        return "CURRENT_TIMESTAMP";
    }

    /**
     * False for a destination where DDL commits the open transaction (MySQL, MariaDB): a column added while applying
     * is then added outside any batch, and the batch applied again after it (see {@link JdbcSink#addColumn}).
     */
    default boolean transactionalDdl() {
        return true;
    }

    /** Refuses what no quoting can carry: an empty identifier, or one with a NUL character. */
    static void checkIdentifier(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier cannot be empty");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL identifier cannot contain a NUL character");
        }
    }

    /** The identifier quoted for this database: mixed case, quotes, unicode and reserved words all survive. */
    String quote(String identifier);

    default String qualified(TargetTable t) {
        return quote(t.schema()) + "." + quote(t.table());
    }

    /**
     * How an apply session was set up.
     *
     * @param triggersOff user triggers and foreign-key checks do not fire in this session, so changes of different
     *     tables may be written in any order
     * @param warnings worth one log line each, such as a setting the role may not change
     */
    record ApplySession(boolean triggersOff, List<String> warnings) {}

    /**
     * Prepares an apply session: replication role, asynchronous commit, and the like. A dialect that makes commits
     * return before they are durable must implement {@link #walPositions} to say when they are.
     */
    ApplySession prepareApplySession(Connection connection) throws SQLException;

    /**
     * The destination's write-ahead log positions now, {@code [inserted, flushed]}: a commit that returned before
     * {@code inserted} was read is durable once {@code flushed} reaches it. Null for a dialect whose commits are
     * durable when they return.
     */
    long[] walPositions(Connection connection) throws SQLException;

    /**
     * Whether {@code table} has a unique constraint or index besides its primary key: updates to it are then written
     * one at a time in source order, as merging them could pass through a state that violates it.
     */
    boolean hasSecondaryUnique(Connection connection, TargetTable table) throws SQLException;

    /**
     * Whether {@code table} has a trigger that fires in an apply session whose triggers are off ({@link
     * ApplySession#triggersOff}). None where the destination cannot turn triggers off.
     */
    default boolean firesTriggersWhenOff(Connection connection, TargetTable table) throws SQLException {
        return false;
    }

    /** Writes a run of inserted rows of one table at once: the whole run or, on error, nothing of it. */
    void insertRows(Connection connection, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException;

    /**
     * Writes a run of rows of the initial copy, into a table the copy alone fills: the destination's bulk-load path
     * where it has one, else {@link #insertRows}. The whole run or, on error, nothing of it.
     */
    default void copyRows(Connection connection, TargetTable table, List<Column> columns, List<Object[]> rows)
            throws SQLException {
        insertRows(connection, table, columns, rows);
    }

    /**
     * Writes rows that may already be at the destination (idempotent replay): each row replaces the one with its
     * key, or is inserted when there is none. Needs a unique index or key on exactly {@code keys} at the
     * destination.
     */
    void upsertRows(Connection c, TargetTable table, List<Column> columns, List<Column> keys, List<Object[]> rows)
            throws SQLException;

    /** A predicate for a key column equal to a bound parameter ({@code ?}); keys are never NULL. */
    default String equalsKey(Column column) {
        return quote(column.name()) + " = ?";
    }

    /**
     * Updates many rows of {@code table} in one statement, each found by its key and given the same set of columns;
     * returns the number of rows updated, or -1 when the dialect has no such statement (the sink then batches one
     * UPDATE a row).
     *
     * @param rows each row's values: the key columns' values, then the set columns', as made by {@link #value}
     */
    default int updateMany(Connection c, TargetTable table, List<Column> keys, List<Column> set, List<Object[]> rows)
            throws SQLException {
        return -1;
    }

    /** Deletes many rows by key in one statement; returns the number deleted, or -1 as for {@link #updateMany}. */
    default int deleteMany(Connection c, TargetTable table, List<Column> keys, List<Object[]> rows)
            throws SQLException {
        return -1;
    }

    /**
     * A predicate comparing {@code column} with a bound parameter ({@code ?}); NULL must match NULL, as a replica
     * identity of FULL compares whole rows.
     */
    String matches(Column column);

    /** The bound parameter for setting {@code column} in an UPDATE's SET list. */
    default String parameter(Column column) {
        return "?";
    }

    /** {@code TRUNCATE} of the tables, honouring the source's CASCADE and RESTART IDENTITY. */
    String truncate(List<TargetTable> tables, boolean cascade, boolean restartIdentity);

    /**
     * Whether one {@link #truncate} statement may name several tables; when not, the sink truncates one table a
     * statement.
     */
    default boolean truncatesManyTables() {
        return true;
    }

    /**
     * DELETE or UPDATE of exactly one row among identical ones, for a table without a key; {@code set} is null for a
     * DELETE, else the SET list, and {@code where} the predicate.
     */
    String oneRow(TargetTable table, String set, String where);

    /**
     * Adds {@code column} to {@code table} unless it has one of that name, in the caller's transaction, with the
     * destination type that holds the source type {@code column.typeOid()} (a built-in PostgreSQL type).
     */
    void addColumn(Connection c, TargetTable table, Column column) throws SQLException;

    /**
     * {@link #addColumn(Connection, TargetTable, Column)}, then gives the rows without a value in it {@code existing}
     * (PostgreSQL text form of column {@code column} of {@code relation}; null leaves them NULL), in the caller's
     * transaction.
     */
    default void addColumn(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        addColumn(c, table, column);
        fillAdded(c, table, relation, column, existing);
    }

    /**
     * For a table several writers apply changes to, each in the order of its own share of them (the sink connector's
     * tasks, one per partition set): {@link #addColumn(Connection, TargetTable, Relation, Column, String)} where
     * {@code table} has no column of that name; nothing where it has one, not even a fill: another writer of the table
     * added it, and may have written its own values in it since (a NULL among them). Where the dialect can, the added
     * column keeps {@code existing} as its default at the destination, since another writer may still insert a row
     * that the source wrote before the column was added, in a statement without the column: that row then reads
     * {@code existing}, as it does at the source (regression, issue 10: it read NULL when it came after the ALTER
     * TABLE). Such a writer's changes of a later shape name every column, so the default touches nothing else.
     */
    default void addColumnIfAbsent(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        if (!hasColumn(c, table, column.name())) {
            addColumn(c, table, relation, column, existing);
        }
    }

    /**
     * Sets {@code column} to {@code existing} where it is NULL: the rows that were there when the source added the
     * column read its default there, and no change carries it. Idempotent, so a batch applied again after a failure
     * fills what the first attempt may have left.
     */
    default void fillAdded(Connection c, TargetTable table, Relation relation, Column column, String existing)
            throws SQLException {
        if (existing == null) {
            return;
        }
        String name = quote(column.name());
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + qualified(table) + " SET " + name + " = "
                + parameter(column) + " WHERE " + name + " IS NULL")) {
            bind(ps, 1, value(relation, relation.indexOf(column.name()), existing));
            ps.executeUpdate();
        }
    }

    /**
     * Whether {@code table} has a column named {@code name}, matched exactly (not as a metadata search pattern, where
     * {@code _} matches any character).
     */
    boolean hasColumn(Connection c, TargetTable table, String name) throws SQLException;

    /** Statements that create the sync's bookkeeping schema and tables when missing; run in one transaction. */
    List<String> catalogDdl(String schema);

    /**
     * The statement that drops the catalog's {@code schema} once its tables are gone, refused by the destination while
     * anything else is in it; empty where the catalog has no schema of its own (its tables carry the schema as a
     * name prefix).
     */
    default Optional<String> dropCatalogSchema(String schema) {
        return Optional.empty();
    }
}
