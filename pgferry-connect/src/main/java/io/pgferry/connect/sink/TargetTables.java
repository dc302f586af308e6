package io.pgferry.connect.sink;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The destination tables of the sink connector: named as {@code pgferry sync} names them, created from the first
 * record's schema when missing, and given the columns later records bring (with {@code ddl=apply}; with {@code
 * ddl=stop}, either is a fatal error naming table and column). Tables are created, and columns added to other
 * databases than PostgreSQL, on a connection of their own before the batch that needs them, since MySQL commits any
 * open transaction on DDL; PostgreSQL's columns are added inside the batch ({@link Prepared#addInBatch}), so that the
 * batch's connection learns them. One thread uses an instance.
 */
final class TargetTables {
    private final Target target;
    private final Dialect dialect;
    private final Map<String, String> schemaMap;
    private final boolean applyDdl;
    private final Map<Relation, TargetTable> names = new HashMap<>();
    /** The columns each table is known to have, by name (case-insensitive outside PostgreSQL). */
    private final Map<TargetTable, Map<String, String>> known = new HashMap<>();

    /** What a batch must do before its changes: columns to add inside it. */
    record Prepared(List<Added> addInBatch) {}

    /** A column to add to the table of {@code relation}, the rows there getting {@code existing} (null: NULL). */
    record Added(Relation relation, Column column, String existing) {}

    /** What the rows a destination table held read in a column its records start to carry; null for NULL. */
    @FunctionalInterface
    interface ExistingValues {
        String of(Relation relation, String column);
    }

    TargetTables(Target target, Dialect dialect, Map<String, String> schemaMap, boolean applyDdl) {
        this.target = target;
        this.dialect = dialect;
        this.schemaMap = schemaMap;
        this.applyDdl = applyDdl;
    }

    /** The destination table of {@code relation}. */
    TargetTable of(Relation relation) {
        TargetTable t = names.get(relation);
        if (t == null) {
            try {
                t = target.table(dialect, relation.schema(), relation.table(), schemaMap);
            } catch (IllegalArgumentException e) {
                throw PgFerryException.fatal(
                        "table " + relation + " cannot be named at " + target + ": " + e.getMessage(),
                        "map its schema to another with schema.map");
            }
            names.put(relation, t);
        }
        return t;
    }

    /** Whether the destination has the table of {@code relation}: a TRUNCATE of a missing table is skipped. */
    boolean exists(Connection c, Relation relation) {
        TargetTable t = of(relation);
        if (known.containsKey(t)) {
            return true;
        }
        try {
            return read(c, t).isPresent();
        } catch (SQLException e) {
            throw io.pgferry.jdbc.JdbcErrors.classify(e, "could not read the columns of " + t + " at " + target);
        }
    }

    /** The columns {@code t} is known to have, read once when not known yet; null while the table does not exist. */
    private Map<String, String> columns(Connection ddl, TargetTable t) throws SQLException {
        Map<String, String> columns = known.get(t);
        if (columns == null) {
            columns = read(ddl, t).orElse(null);
            if (columns != null) {
                known.put(t, columns);
            }
        }
        return columns;
    }

    /** Whether the table of {@code relation} is missing at the destination or lacks one of its columns. */
    boolean needsDdl(Connection ddl, Relation relation) throws SQLException {
        Map<String, String> columns = columns(ddl, of(relation));
        if (columns == null) {
            return true;
        }
        for (Column c : relation.columns()) {
            if (!columns.containsKey(key(c.name()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes sure the tables of {@code relations} exist with their columns, on {@code ddl} (in auto-commit), and
     * returns the columns to add inside the next batch.
     */
    Prepared prepare(Connection ddl, Iterable<Relation> relations) throws SQLException {
        return prepare(ddl, relations, (r, c) -> null);
    }

    /**
     * {@link #prepare(Connection, Iterable)}, the rows already in a table getting in an added column what {@code
     * existing} gives.
     */
    Prepared prepare(Connection ddl, Iterable<Relation> relations, ExistingValues existing) throws SQLException {
        List<Added> inBatch = new ArrayList<>();
        for (Relation r : relations) {
            TargetTable t = of(r);
            Map<String, String> columns = columns(ddl, t);
            if (columns == null) {
                create(ddl, r, t);
                columns = read(ddl, t)
                        .orElseThrow(() -> PgFerryException.fatal(
                                "table " + t + " was created at " + target + " but cannot be read back",
                                "check the privileges of the target role on its schema"));
                known.put(t, columns);
            }
            for (Column c : r.columns()) {
                String declared = columns.get(key(c.name()));
                if (declared == null) {
                    if (!applyDdl) {
                        throw PgFerryException.fatal(
                                "table " + t + " at " + target + " has no column " + c.name() + ", which the records"
                                        + " of " + r + " carry",
                                "add the column, or set ddl to apply");
                    }
                    Added add = new Added(r, c, existing.of(r, c.name()));
                    if (dialect instanceof ForeignDialect) {
                        addForeign(ddl, t, add);
                    } else {
                        inBatch.add(add);
                    }
                    columns.put(key(c.name()), "");
                } else if (dialect instanceof ForeignDialect f && !declared.isEmpty()) {
                    Optional<String> why = f.incompatibility(c, declared);
                    if (why.isPresent()) {
                        throw PgFerryException.fatal(
                                "column " + c.name() + " of " + t + " is declared " + declared + ": " + why.get(),
                                "change the column's type, or drop the table so that it is created");
                    }
                }
            }
        }
        return new Prepared(inBatch);
    }

    /**
     * Adds a column to {@code t} outside any batch, with the rows there getting its existing value, in one transaction
     * where the destination's DDL is transactional; a column there already is left as it is. Another task of the connector, writing the same table from
     * another partition, may have added it a moment before (regression: the second task's ALTER TABLE failed with a
     * duplicate column, and the task with it; issue 10): then it is there now, and that is all that matters.
     */
    private void addForeign(Connection ddl, TargetTable t, Added add) throws SQLException {
        try {
            if (add.existing() == null) {
                dialect.addColumn(ddl, t, add.column());
            } else {
                ddl.setAutoCommit(false);
                try {
                    dialect.addColumnIfAbsent(ddl, t, add.relation(), add.column(), add.existing());
                    ddl.commit();
                } catch (SQLException | RuntimeException e) {
                    ddl.rollback();
                    throw e;
                } finally {
                    ddl.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            if (!read(ddl, t).orElse(Map.of()).containsKey(key(add.column().name()))) {
                throw e;
            }
        }
    }

    /** Forgets what is known of the tables, after a failure that may have been a change at the destination. */
    void forget() {
        known.clear();
    }

    private String key(String column) {
        return dialect instanceof ForeignDialect ? column.toLowerCase(Locale.ROOT) : column;
    }

    private Optional<Map<String, String>> read(Connection c, TargetTable t) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        if (dialect instanceof ForeignDialect f) {
            Optional<Map<String, String>> cols = f.existingColumns(c, t);
            if (cols.isEmpty()) {
                return Optional.empty();
            }
            cols.get().forEach((k, v) -> out.put(key(k), v));
            return Optional.of(out);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns" + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), "");
                }
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    private void create(Connection c, Relation r, TargetTable t) throws SQLException {
        if (!applyDdl) {
            throw PgFerryException.fatal(
                    "table " + t + " does not exist at " + target + " for the records of " + r,
                    "create it, or set ddl to apply");
        }
        if (r.columns().isEmpty()) {
            throw PgFerryException.fatal(
                    "table " + t + " does not exist at " + target + " and the records of " + r + " name no columns",
                    "create it");
        }
        List<String> ddl = dialect instanceof ForeignDialect f
                ? List.of(f.createTable(t, r.columns()))
                : List.of(
                        "CREATE SCHEMA IF NOT EXISTS " + dialect.quote(t.schema()), postgresCreate(c, t, r.columns()));
        try {
            OffsetLedger.runCreating(c, ddl);
        } catch (SQLException e) {
            // Another task may have created it a moment ago: then it is there now, and that is all that matters.
            if (read(c, t).isEmpty()) {
                throw e;
            }
        }
    }

    private String postgresCreate(Connection c, TargetTable t, List<Column> columns) throws SQLException {
        StringBuilder s = new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                .append(dialect.qualified(t))
                .append(" (");
        StringBuilder pk = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(?, ?)")) {
            for (int i = 0; i < columns.size(); i++) {
                Column col = columns.get(i);
                ps.setLong(1, col.typeOid());
                if (col.typeModifier() < 0) {
                    ps.setNull(2, java.sql.Types.INTEGER);
                } else {
                    ps.setInt(2, col.typeModifier());
                }
                String type;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    type = rs.getString(1);
                }
                s.append(i == 0 ? "" : ", ")
                        .append(dialect.quote(col.name()))
                        .append(' ')
                        .append(type);
                if (col.key()) {
                    s.append(" NOT NULL");
                    pk.append(pk.length() == 0 ? "" : ", ").append(dialect.quote(col.name()));
                }
            }
        }
        if (pk.length() > 0) {
            s.append(", PRIMARY KEY (").append(pk).append(')');
        }
        return s.append(')').toString();
    }
}
