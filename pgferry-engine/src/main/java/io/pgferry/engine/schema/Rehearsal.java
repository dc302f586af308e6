package io.pgferry.engine.schema;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds, in one target transaction that is always rolled back, everything a sync will build for the tables its plan
 * creates: the schemas, types and tables ({@link TableCreation}), then on those empty tables their keys, indexes,
 * constraints, serial sequences, replica identity and foreign keys ({@link PostData}), in the order the copy builds
 * them.
 *
 * <p>Why: the post-data statements run after the copy, so a definition the target cannot take failed there, after
 * the slot was made and the data moved: an index in syntax of a later major than the target's ({@code NULLS NOT
 * DISTINCT} before PostgreSQL 15), a function, collation or operator class the target lacks. Rehearsed first, it is
 * refused before anything is created. On empty tables each statement takes milliseconds; the locks it takes are on
 * tables no other session sees, and those of existing tables that new foreign keys reference, until the savepoint
 * a group of tables' build is rolled back to.
 *
 * <p>A sync's start rehearses as it creates the tables ({@link TargetSchema#createRehearsing}): each table is created
 * once, its builds rehearsed on it in the creation's transaction, and a refusal drops what the creation made. Tables
 * added to a running sync are rehearsed first ({@link #run}), before the sync records them.
 */
public final class Rehearsal {
    /** A name as the server prints it: identifiers, quoted (with doubled quotes inside) or plain, joined by dots. */
    private static final String PART = "(?:\"(?:[^\"]|\"\")*\"|[^\\s\".]+)";

    private static final String NAME = "(" + PART + "(?:\\." + PART + ")*)";

    private static final Pattern INDEX = Pattern.compile("^CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?" + NAME);
    private static final Pattern CONSTRAINT = Pattern.compile(" ADD CONSTRAINT " + NAME);
    private static final Pattern SEQUENCE = Pattern.compile("^(?:CREATE|ALTER) SEQUENCE " + NAME);

    private Rehearsal() {}

    /** Rehearses the creation of what {@code plan} creates for {@code tables}; see the class comment. */
    public static void run(Connection target, List<SourceTable> tables, TargetSchema.Plan plan) throws SQLException {
        if (plan.toCreate().isEmpty()) {
            return;
        }
        Map<TableName, PostData> post = PostData.of(tables, plan);
        int major = target.getMetaData().getDatabaseMajorVersion();
        boolean auto = target.getAutoCommit();
        target.setAutoCommit(false);
        try (Statement st = target.createStatement()) {
            TableCreation.createPrelude(st, plan);
            // The tables are made and built a group at a time, and each table's foreign keys with the tables they
            // reference, each rolled back to a savepoint when done, which releases its locks: the rehearsal holds
            // no more of the target's lock table (max_locks_per_transaction) than a transaction of TableCreation.
            Map<TableName, SourceTable> byName = byName(tables);
            for (List<TableName> group : TableCreation.batches(new ArrayList<>(post.keySet()))) {
                inSavepoint(st, () -> {
                    for (TableName t : group) {
                        TableCreation.createTable(
                                st, byName.get(t), plan.targets().get(t), major);
                    }
                    buildGroup(st, plan, group, post);
                });
            }
            foreignKeys(st, byName, plan, post, major, true);
        } finally {
            target.rollback();
            target.setAutoCommit(auto);
        }
    }

    /**
     * Rehearses, in {@code st}'s transaction, the builds of the tables of {@code group}, which that transaction has
     * just created and which are empty, and rolls them back: for a creation that rehearses as it goes ({@link
     * TableCreation}), which saves creating every table twice.
     */
    static void builds(Statement st, TargetSchema.Plan plan, List<TableName> group, Map<TableName, PostData> post)
            throws SQLException {
        inSavepoint(st, () -> buildGroup(st, plan, group, post));
    }

    /**
     * Of the tables of {@code group}, which {@code st}'s transaction has just created and which are empty, those the
     * plan builds at creation get what it builds so ({@link TargetSchema.Plan#atCreation}) built for good, and the
     * rest rehearsed, their foreign keys aside (rehearsed once all tables are made). A build the target refuses fails
     * as in a rehearsal.
     */
    static void buildsAtCreation(
            Statement st, TargetSchema.Plan plan, List<TableName> group, Map<TableName, PostData> post)
            throws SQLException {
        Map<TableName, PostData> kept = new LinkedHashMap<>();
        Map<TableName, PostData> rest = new LinkedHashMap<>();
        for (TableName n : group) {
            PostData p = post.get(n);
            if (p != null && plan.builtAtCreation(n)) {
                kept.put(n, plan.atCreation(p));
                rest.put(n, plan.afterCreation(p));
            }
        }
        buildGroup(st, plan, List.copyOf(kept.keySet()), kept);
        builds(st, plan, List.copyOf(rest.keySet()), rest);
    }

    /**
     * Rehearses each foreign key of the tables {@code post} lists with the keys of the created tables it references,
     * a table at a time, each rolled back to a savepoint when done; when {@code create}, each table and those it
     * references are created first (a rehearsal before the creation), else they exist, empty, in the target, and
     * those built at creation have what {@link TargetSchema.Plan#atCreation} says. {@code tables} are all the sync's tables by name ({@link #byName}).
     */
    static void foreignKeys(
            Statement st,
            Map<TableName, SourceTable> tables,
            TargetSchema.Plan plan,
            Map<TableName, PostData> post,
            int major,
            boolean create)
            throws SQLException {
        Map<Long, TableName> byOid = new HashMap<>();
        for (SourceTable t : tables.values()) {
            byOid.put(t.oid(), t.name());
        }
        for (SourceTable t : tables.values()) {
            PostData p = post.get(t.name());
            if (p == null || p.foreignKeys().isEmpty()) {
                continue;
            }
            inSavepoint(st, () -> {
                Set<TableName> referenced = new LinkedHashSet<>();
                for (SourceTable.ConstraintDef c : t.constraints()) {
                    TableName r = byOid.get(c.referencedOid());
                    if (c.type() == 'f' && r != null && post.containsKey(r)) {
                        referenced.add(r);
                    }
                }
                if (create) {
                    Set<TableName> make = new LinkedHashSet<>(referenced);
                    make.add(t.name());
                    for (TableName m : make) {
                        TableCreation.createTable(
                                st, tables.get(m), plan.targets().get(m), major);
                    }
                }
                for (TableName r : referenced) {
                    // A table built at creation has part of its post data already.
                    PostData built = post.get(r);
                    buildTable(st, plan, r, create || !plan.builtAtCreation(r) ? built : plan.afterCreation(built));
                }
                build(st, plan.targets().get(t.name()), p.foreignKeys());
            });
        }
    }

    /** {@code tables} by name, in their order. */
    static Map<TableName, SourceTable> byName(List<SourceTable> tables) {
        Map<TableName, SourceTable> out = new LinkedHashMap<>();
        for (SourceTable t : tables) {
            out.put(t.name(), t);
        }
        return out;
    }

    private static void buildGroup(
            Statement st, TargetSchema.Plan plan, List<TableName> group, Map<TableName, PostData> post)
            throws SQLException {
        for (TableName t : group) {
            buildTable(st, plan, t, post.get(t));
        }
    }

    private interface Work {
        void run() throws SQLException;
    }

    /** Runs {@code work} after a savepoint and rolls back to it, also after a failure (the caller then ends it all). */
    private static void inSavepoint(Statement st, Work work) throws SQLException {
        st.execute("SAVEPOINT pgferry_rehearsal");
        try {
            work.run();
        } catch (SQLException | RuntimeException e) {
            try {
                st.execute("ROLLBACK TO SAVEPOINT pgferry_rehearsal");
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        st.execute("ROLLBACK TO SAVEPOINT pgferry_rehearsal");
    }

    /** A created table's key, indexes, constraints and the rest of its attach list, as the copy builds them. */
    private static void buildTable(Statement st, TargetSchema.Plan plan, TableName t, PostData p) throws SQLException {
        TargetTable tt = plan.targets().get(t);
        build(st, tt, p.indexes());
        build(st, tt, p.attach());
    }

    private static void build(Statement st, TargetTable tt, List<String> statements) throws SQLException {
        for (String ddl : statements) {
            try {
                st.clearWarnings();
                st.execute(ddl);
                refuseTakenName(st, tt, ddl);
            } catch (SQLException e) {
                if (!JdbcErrors.refusesDefinition(e)) {
                    throw e;
                }
                throw PgFerryException.fatal(
                        "target table " + tt + " cannot take " + what(ddl) + " as the source defines it: "
                                + JdbcErrors.definitionError(e) + "; the target runs PostgreSQL "
                                + st.getConnection().getMetaData().getDatabaseProductVersion(),
                        "create the table at the target yourself with what the target supports (the sync then uses"
                                + " it as it is), or give the target what it lacks (a function, a collation, an"
                                + " extension)",
                        e);
            }
        }
    }

    /**
     * Refuses an index whose name another relation of the target schema has: the copy builds indexes with {@code IF
     * NOT EXISTS}, so that one built before a crash is not built again, and the server skips such a statement with
     * a notice (SQLSTATE 42P07, duplicate_table) when the name is taken, by whatever relation. On a table the
     * rehearsal has just created, that can only be another relation: the index would be missing without a word.
     */
    private static void refuseTakenName(Statement st, TargetTable tt, String ddl) throws SQLException {
        for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
            if ("42P07".equals(w.getSQLState())) {
                throw PgFerryException.fatal(
                        "target table " + tt + " cannot take " + what(ddl) + " as the source defines it: another"
                                + " relation of schema " + tt.schema() + " at the target has its name",
                        "rename the index at the source, or that relation at the target (index names are unique"
                                + " in a schema)");
            }
        }
    }

    /** What {@code ddl} builds, named as the source's catalog names it, for an error message. */
    static String what(String ddl) {
        Matcher m = INDEX.matcher(ddl);
        if (m.find()) {
            return "index " + m.group(1);
        }
        m = CONSTRAINT.matcher(ddl);
        if (m.find()) {
            return (ddl.contains(" FOREIGN KEY ") ? "foreign key " : "constraint ") + m.group(1);
        }
        m = SEQUENCE.matcher(ddl);
        if (m.find()) {
            return "sequence " + m.group(1);
        }
        if (ddl.contains(" REPLICA IDENTITY ")) {
            return "its replica identity";
        }
        return "the default of a serial column";
    }
}
