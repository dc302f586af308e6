package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.OneTransaction;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of a foreign sync's schema: which tables exist and match the type mapping, which must be
 * created, and which source columns an existing table lacks. Everything is checked before anything is created.
 */
final class ForeignTables {
    private static final Logger log = LoggerFactory.getLogger(ForeignTables.class);

    private final ForeignDialect dialect;
    private final String where;
    private final List<SourceTable> tables;
    private final Map<TableName, Relation> relations;
    private final Map<TableName, TargetTable> targets;

    /** @param where the destination as it is named in messages */
    ForeignTables(
            ForeignDialect dialect,
            String where,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, TargetTable> targets) {
        this.dialect = dialect;
        this.where = where;
        this.tables = tables;
        this.relations = relations;
        this.targets = targets;
    }

    /**
     * Which tables must be created (true) and which exist (false); an existing one is checked column by column
     * against the type mapping, creating nothing. The source columns an existing table lacks go in {@code missing}.
     */
    Map<TableName, Boolean> plan(Connection dst, Map<TableName, List<Column>> missing) throws SQLException {
        missing.clear();
        Map<TableName, Boolean> create = new LinkedHashMap<>();
        Map<String, Boolean> containers = new HashMap<>();
        for (SourceTable t : tables) {
            TargetTable tt = targets.get(t.name());
            Optional<Map<String, String>> existing = dialect.existingColumns(dst, tt);
            create.put(t.name(), existing.isEmpty());
            if (existing.isEmpty()) {
                requireContainer(dst, t, tt, containers);
                continue;
            }
            for (Column c : relations.get(t.name()).columns()) {
                String declared = existing.get().get(c.name());
                if (declared == null) {
                    missing.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(c);
                    continue;
                }
                Optional<String> problem = dialect.incompatibility(c, declared);
                if (problem.isPresent()) {
                    throw PgFerryException.fatal(
                            "column " + c.name() + " of target table " + tt + " " + problem.get(),
                            "change the column, or drop the table to let the sync create it");
                }
            }
        }
        return create;
    }

    /**
     * Throws where the database (MySQL) or schema (SQL Server) a table is to be created in is missing: pgferry
     * creates tables only, and the driver's own error ("Unknown database") named neither the source table nor the
     * schema map.
     */
    private void requireContainer(Connection dst, SourceTable t, TargetTable tt, Map<String, Boolean> checked)
            throws SQLException {
        Optional<String> kind = dialect.containerKind();
        if (kind.isEmpty()) {
            return;
        }
        Boolean exists = checked.get(tt.schema());
        if (exists == null) {
            exists = dialect.containerExists(dst, tt.schema());
            checked.put(tt.schema(), exists);
        }
        if (!exists) {
            throw PgFerryException.fatal(
                    "target table " + tt + " for " + t.name() + " cannot be created: " + kind.get() + " " + tt.schema()
                            + " does not exist at " + where,
                    "create " + kind.get() + " " + tt.schema() + ", or map schema "
                            + t.name().schema() + " to one that exists");
        }
    }

    /** Throws for the first source column an existing target table lacks; {@code orElse} ends the fix. */
    void requireColumns(Map<TableName, List<Column>> missing, String orElse) {
        for (Map.Entry<TableName, List<Column>> e : missing.entrySet()) {
            Column c = e.getValue().get(0);
            throw PgFerryException.fatal(
                    "target table " + targets.get(e.getKey()) + " at " + where + " has no column " + c.name()
                            + " of source table " + e.getKey(),
                    "add it as " + dialect.columnType(c, 1) + orElse);
        }
    }

    /**
     * Adds the source columns the target tables lack, as a user would by hand: columns added at the source while the
     * sync was stopped. The values of the rows the target holds are then the stream's to give (see SchemaWatch).
     * MySQL commits each ADD COLUMN at once; each is skipped where the column exists, so a start that fails
     * half-way adds the rest the next time.
     */
    void addMissingColumns(Connection dst, Map<TableName, List<Column>> missing) throws SQLException {
        if (missing.isEmpty()) {
            return;
        }
        OneTransaction.run(dst, session -> {
            for (Map.Entry<TableName, List<Column>> e : missing.entrySet()) {
                TargetTable tt = targets.get(e.getKey());
                for (Column c : e.getValue()) {
                    dialect.addColumn(session, tt, c);
                    log.warn(
                            "column {} of source table {} was added while the sync was stopped: added to target table"
                                    + " {} at {}",
                            c.name(),
                            e.getKey(),
                            tt,
                            where);
                }
            }
        });
    }

    /**
     * Creates the missing tables. MySQL commits each CREATE TABLE at once, so on a failure the tables created here
     * are dropped again: nothing is left half-created.
     */
    void createTables(Connection dst, Map<TableName, Boolean> create) throws SQLException {
        List<TargetTable> done = new ArrayList<>();
        try (Statement st = dst.createStatement()) {
            for (SourceTable t : tables) {
                if (create.get(t.name())) {
                    TargetTable tt = targets.get(t.name());
                    st.execute(dialect.createTable(tt, keyOf(relations.get(t.name()))));
                    done.add(tt);
                }
            }
        } catch (SQLException | RuntimeException e) {
            try (Statement st = dst.createStatement()) {
                for (TargetTable tt : done) {
                    st.execute("DROP TABLE " + dialect.qualified(tt));
                }
            } catch (SQLException dropFailed) {
                e.addSuppressed(dropFailed);
            }
            throw e;
        }
        if (!done.isEmpty()) {
            log.info("created {} tables at {}", done.size(), where);
        }
    }

    void requireEmpty(Connection dst, Map<TableName, Boolean> create) throws SQLException {
        for (SourceTable t : tables) {
            if (create.get(t.name())) {
                continue;
            }
            TargetTable tt = targets.get(t.name());
            try (Statement st = dst.createStatement();
                    var rs = st.executeQuery(dialect.anyRowSql(tt))) {
                if (rs.next()) {
                    throw PgFerryException.fatal(
                            "target table " + tt + " at " + where + " already holds rows, and the initial copy would"
                                    + " add the source's to them",
                            "empty it, or use copy mode none if it already holds the source's rows");
                }
            }
        }
    }

    /**
     * The columns a destination table is created with: as the relation has them, but without key flags for a table
     * with REPLICA IDENTITY FULL, whose every column the stream flags although it has no key (and may hold the same
     * row twice).
     */
    static List<Column> keyOf(Relation r) {
        if (r.replicaIdentity() != ReplicaIdentity.FULL) {
            return r.columns();
        }
        List<Column> out = new ArrayList<>();
        for (Column c : r.columns()) {
            out.add(new Column(c.name(), c.typeOid(), c.typeModifier(), false));
        }
        return out;
    }
}
