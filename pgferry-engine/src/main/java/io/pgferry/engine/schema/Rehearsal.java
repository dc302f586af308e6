package io.pgferry.engine.schema;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds, in one target transaction that is always rolled back, everything a sync will build for the tables its plan
 * creates: the schemas, types and tables ({@link TargetSchema#create}), then on those empty tables their keys,
 * indexes, constraints, serial sequences and foreign keys ({@link PostData}), in the order the copy builds them.
 *
 * <p>Why: the post-data statements run after the copy, so a definition the target cannot take failed there, after
 * the slot was made and the data moved: an index in syntax of a later major than the target's ({@code NULLS NOT
 * DISTINCT} before PostgreSQL 15), a function, collation or operator class the target lacks. Rehearsed first, it is
 * refused before anything is created. On empty tables each statement takes milliseconds; the locks it takes are on
 * tables no other session sees, and those of existing tables that new foreign keys reference, until the rollback.
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
        boolean auto = target.getAutoCommit();
        target.setAutoCommit(false);
        try (Statement st = target.createStatement()) {
            TargetSchema.createAll(st, plan);
            for (Map.Entry<TableName, PostData> e : post.entrySet()) {
                TargetTable tt = plan.targets().get(e.getKey());
                build(st, tt, e.getValue().indexes());
                build(st, tt, e.getValue().attach());
            }
            for (Map.Entry<TableName, PostData> e : post.entrySet()) {
                build(st, plan.targets().get(e.getKey()), e.getValue().foreignKeys());
            }
        } finally {
            target.rollback();
            target.setAutoCommit(auto);
        }
    }

    private static void build(Statement st, TargetTable tt, List<String> statements) throws SQLException {
        for (String ddl : statements) {
            try {
                st.execute(ddl);
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
        return "the default of a serial column";
    }
}
