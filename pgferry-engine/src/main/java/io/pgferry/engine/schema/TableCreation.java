package io.pgferry.engine.schema;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates at the target what a {@link TargetSchema.Plan} lists: first its prelude (schemas, extensions, enum, domain
 * and composite types, the sequences defaults read), then its tables, {@value #TABLES_PER_TRANSACTION} to a
 * transaction.
 *
 * <p>Why not one transaction: a created table holds its locks until commit (the table, its TOAST table and that
 * table's index; an identity column's sequence), and the server keeps the locks of all its sessions in one table of
 * about {@code max_locks_per_transaction} times {@code max_connections} entries (PostgreSQL docs, "Lock Management"):
 * a schema of some thousands of tables failed with "out of shared memory". A creation that fails part way drops what
 * it made, in reverse order, as far as the target still answers. A crash part way leaves tables the sync recorded as
 * its own before creating them, which its next start drops and creates again.
 */
public final class TableCreation {
    private static final Logger log = LoggerFactory.getLogger(TableCreation.class);

    /** At most this many tables are created, or dropped, in one target transaction. */
    static final int TABLES_PER_TRANSACTION = 50;

    /** The most rows' bytes of a table whose post data {@link TargetSchema.Plan#buildingAtCreation} builds at once. */
    static final long BUILT_AT_CREATION_BYTES = 1L << 20;

    /** The foreign keys of one of the tables ?1 names to another of them, ?2 the same names. */
    private static final String FOREIGN_KEYS_AMONG = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
            + " quote_ident(k.conname) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND k.conrelid <> k.confrelid"
            + " AND k.conparentid = 0"
            + " AND k.conrelid IN (SELECT to_regclass(x) FROM unnest(?::text[]) x)"
            + " AND k.confrelid IN (SELECT to_regclass(x) FROM unnest(?::text[]) x)";

    private TableCreation() {}

    /** Creates what {@code plan} lists; see the class comment. Builds nothing: the plan builds no table at creation. */
    static void create(Connection target, TargetSchema.Plan plan) throws SQLException {
        if (!plan.builtAtCreation().isEmpty()) {
            throw new IllegalArgumentException("a creation that builds tables needs their post data: createRehearsing");
        }
        make(target, plan, null, null, 1);
    }

    /**
     * Creates what {@code plan} lists, as {@link #create} does, and rehearses the builds of the tables it creates as it
     * goes ({@link Rehearsal}; {@code tables} are all the sync's tables): each batch's after its tables are made, in
     * the same transaction, and the foreign keys once all are. A build the target refuses fails the creation, which
     * drops what it made. Rehearsed so, no table is created twice, where a rehearsal first creates them all in a
     * transaction it rolls back. The tables the plan builds at creation ({@link TargetSchema.Plan#builtAtCreation})
     * get their builds for good instead, their foreign keys aside. The batches after the first are made on up to
     * {@code workers} sessions from {@code sessions} at once.
     */
    static void createRehearsing(
            Connection target,
            TargetSchema.Plan plan,
            List<SourceTable> tables,
            Supplier<Connection> sessions,
            int workers)
            throws SQLException {
        Map<TableName, PostData> post = PostData.of(tables, plan.targets(), plan::created);
        make(target, plan, post.isEmpty() ? null : new Rehearsed(Rehearsal.byName(tables), post), sessions, workers);
    }

    /** What a rehearsing creation rehearses: the post-data of the tables it creates, and all the sync's tables. */
    private record Rehearsed(Map<TableName, SourceTable> tables, Map<TableName, PostData> post) {}

    /**
     * The creation, rehearsing as it goes unless {@code rehearsed} is null: the prelude and the first batch on {@code
     * target}, the other batches on up to {@code workers} sessions from {@code sessions} at once ({@link
     * ParallelBatches}; null: all on {@code target}), the foreign keys' rehearsal on {@code target} once all are made.
     */
    private static void make(
            Connection target, TargetSchema.Plan plan, Rehearsed rehearsed, Supplier<Connection> sessions, int workers)
            throws SQLException {
        if (plan.toCreate().isEmpty()
                && plan.schemasToCreate().isEmpty()
                && plan.sequencesToCreate().isEmpty()) {
            return;
        }
        int major = target.getMetaData().getDatabaseMajorVersion();
        List<List<SourceTable>> batches = batches(plan.toCreate());
        List<SourceTable> made = Collections.synchronizedList(new ArrayList<>());
        ParallelBatches.Batch batch = (st, tables) -> createBatch(st, plan, tables, rehearsed, major);
        boolean auto = target.getAutoCommit();
        target.setAutoCommit(false);
        try (Statement st = target.createStatement()) {
            // What every batch needs (schemas, types, sequences) commits first, with the first batch.
            step(target, plan, made, false, () -> {
                createPrelude(st, plan);
                if (!batches.isEmpty()) {
                    batch.create(st, batches.get(0));
                }
            });
            if (!batches.isEmpty()) {
                made.addAll(batches.get(0));
            }
            List<List<SourceTable>> rest = batches.size() > 1 ? batches.subList(1, batches.size()) : List.of();
            int n = sessions == null ? 1 : ParallelBatches.sessions(target, workers, rest.size());
            if (n > 1) {
                try {
                    rest = ParallelBatches.run(sessions, n, rest, batch, made);
                } catch (SQLException | RuntimeException e) {
                    undo(target, plan, made, e);
                    throw e;
                }
                if (!rest.isEmpty()) {
                    log.info(
                            "{} batches of tables clashed with another session's on a name: making them alone",
                            rest.size());
                }
            }
            for (List<SourceTable> b : rest) {
                step(target, plan, made, true, () -> batch.create(st, b));
                made.addAll(b);
            }
            if (rehearsed != null) {
                step(
                        target,
                        plan,
                        made,
                        true,
                        () -> Rehearsal.foreignKeys(st, rehearsed.tables(), plan, rehearsed.post(), major, false));
            }
        } finally {
            target.setAutoCommit(auto);
        }
        log.info(
                "created {} tables and {} sequences at the target",
                plan.toCreate().size(),
                plan.sequencesToCreate().size());
    }

    /** Creates {@code tables} in {@code st}'s transaction, with their builds rehearsed or made unless not rehearsed. */
    private static void createBatch(
            Statement st, TargetSchema.Plan plan, List<SourceTable> tables, Rehearsed rehearsed, int major)
            throws SQLException {
        List<TableName> names = new ArrayList<>();
        for (SourceTable t : tables) {
            createTable(st, t, plan.targets().get(t.name()), major);
            names.add(t.name());
        }
        if (rehearsed != null) {
            Rehearsal.builds(
                    st,
                    plan,
                    names.stream().filter(n -> !plan.builtAtCreation(n)).toList(),
                    rehearsed.post());
            Rehearsal.buildsAtCreation(st, plan, names, rehearsed.post());
        }
    }

    private interface Step {
        void run() throws SQLException;
    }

    /** Runs {@code step} and commits; on failure rolls back and, if {@code undo}, drops what {@code made} lists. */
    private static void step(Connection target, TargetSchema.Plan plan, List<SourceTable> made, boolean undo, Step step)
            throws SQLException {
        try {
            step.run();
            target.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(target, e);
            if (undo) {
                undo(target, plan, made, e);
            }
            throw e;
        }
    }

    /**
     * Drops the tables {@code qualified} names if they exist, {@value #TABLES_PER_TRANSACTION} to a statement: one
     * statement for all could exhaust the lock table too. The foreign keys between them go first, so that no batch
     * waits for a later one; anything else that depends on one of them (a view, a foreign key of another table) makes
     * the drop fail, as it should.
     */
    public static void dropTables(Connection target, List<String> qualified) throws SQLException {
        List<String> drops = new ArrayList<>();
        if (qualified.size() > TABLES_PER_TRANSACTION) {
            among(
                    target,
                    FOREIGN_KEYS_AMONG,
                    qualified,
                    rs -> drops.add("ALTER TABLE " + rs.getString(1) + " DROP CONSTRAINT " + rs.getString(2)));
        }
        for (List<String> batch : batches(qualified)) {
            drops.add("DROP TABLE IF EXISTS " + String.join(", ", batch));
        }
        try (Statement st = target.createStatement()) {
            for (String drop : drops) {
                st.execute(drop);
                if (!target.getAutoCommit()) {
                    target.commit();
                }
            }
        }
    }

    /**
     * The foreign keys among the tables ?1 names (?2 the same names): the places in that list, from 1, of each one's
     * referencing and referenced tables.
     */
    private static final String REFERENCES_AMONG = "SELECT a.i, b.i FROM pg_constraint k"
            + " JOIN unnest(?::text[]) WITH ORDINALITY AS a (x, i) ON to_regclass(a.x) = k.conrelid"
            + " JOIN unnest(?::text[]) WITH ORDINALITY AS b (x, i) ON to_regclass(b.x) = k.confrelid"
            + " WHERE k.contype = 'f' AND k.conrelid <> k.confrelid";

    /**
     * Empties the tables {@code qualified} names, {@value #TABLES_PER_TRANSACTION} or so to a statement, each in a
     * transaction of its own: one TRUNCATE of them all locked every table and index until it ended, and into some
     * thousands of tables it exhausted the target's lock table. Tables that foreign keys join stay in one statement,
     * since TRUNCATE refuses a table another references unless both are in it (PostgreSQL docs, TRUNCATE).
     */
    public static void emptyTables(Connection target, List<String> qualified) throws SQLException {
        if (qualified.isEmpty()) {
            return;
        }
        List<int[]> references = new ArrayList<>();
        if (qualified.size() > TABLES_PER_TRANSACTION) {
            among(
                    target,
                    REFERENCES_AMONG,
                    qualified,
                    rs -> references.add(new int[] {rs.getInt(1) - 1, rs.getInt(2) - 1}));
        }
        try (Statement st = target.createStatement()) {
            for (List<String> group : truncateGroups(qualified, references)) {
                st.execute("TRUNCATE " + String.join(", ", group));
                if (!target.getAutoCommit()) {
                    target.commit();
                }
            }
        }
    }

    /**
     * {@code names} cut into groups to empty together: each holds whole sets of tables that {@code references} (pairs
     * of places in {@code names}) join, packed up to {@value #TABLES_PER_TRANSACTION} tables; a larger set is a group
     * of its own.
     */
    static List<List<String>> truncateGroups(List<String> names, List<int[]> references) {
        int[] parent = new int[names.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int[] r : references) {
            parent[root(parent, r[0])] = root(parent, r[1]);
        }
        java.util.Map<Integer, List<String>> joined = new java.util.LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            joined.computeIfAbsent(root(parent, i), k -> new ArrayList<>()).add(names.get(i));
        }
        List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        for (List<String> set : joined.values()) {
            if (!group.isEmpty() && group.size() + set.size() > TABLES_PER_TRANSACTION) {
                groups.add(group);
                group = new ArrayList<>();
            }
            group.addAll(set);
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Reads a row of a query about tables. */
    @FunctionalInterface
    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    /** Runs {@code query}, whose two parameters both take the names {@code qualified}, giving {@code row} each row. */
    private static void among(Connection target, String query, List<String> qualified, Row row) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(query)) {
            java.sql.Array names = target.createArrayOf("text", qualified.toArray());
            ps.setArray(1, names);
            ps.setArray(2, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }

    /** {@code items} cut into runs of at most {@value #TABLES_PER_TRANSACTION}. */
    public static <T> List<List<T>> batches(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += TABLES_PER_TRANSACTION) {
            out.add(items.subList(i, Math.min(items.size(), i + TABLES_PER_TRANSACTION)));
        }
        return out;
    }

    /**
     * Drops what a creation that failed after its first commit made: its tables, then its prelude in reverse. Each
     * statement is one that cannot drop anything else (no CASCADE); a failure of the undo is added to {@code cause}.
     */
    private static void undo(Connection target, TargetSchema.Plan plan, List<SourceTable> made, Exception cause) {
        List<String> tables = new ArrayList<>();
        for (SourceTable t : made) {
            TargetTable tt = plan.targets().get(t.name());
            tables.add(PgSql.qualified(tt.schema(), tt.table()));
        }
        List<String> prelude = new ArrayList<>();
        for (SequenceDef seq : plan.sequencesToCreate()) {
            prelude.add("DROP SEQUENCE IF EXISTS " + seq.qualified());
        }
        List<UserType> types = new ArrayList<>(plan.typesToCreate());
        Collections.reverse(types);
        for (UserType t : types) {
            prelude.add((t.kind() == 'd' ? "DROP DOMAIN IF EXISTS " : "DROP TYPE IF EXISTS ")
                    + PgSql.qualified(t.schema(), t.name()));
        }
        for (Extension e : plan.extensionsToCreate()) {
            prelude.add("DROP EXTENSION IF EXISTS " + PgSql.quote(e.name()));
        }
        for (String s : plan.schemasToCreate()) {
            prelude.add("DROP SCHEMA IF EXISTS " + PgSql.quote(s));
        }
        try {
            dropTables(target, tables);
            try (Statement st = target.createStatement()) {
                for (String drop : prelude) {
                    st.execute(drop);
                }
            }
            target.commit();
            log.info("dropped the {} tables made before the creation failed", made.size());
        } catch (SQLException | RuntimeException u) {
            rollback(target, u);
            cause.addSuppressed(u);
        }
    }

    private static void rollback(Connection target, Exception e) {
        try {
            target.rollback();
        } catch (SQLException r) {
            e.addSuppressed(r);
        }
    }

    /** Creates the planned schemas, extensions, types and sequences with {@code st}, in its transaction. */
    static void createPrelude(Statement st, TargetSchema.Plan plan) throws SQLException {
        for (String s : plan.schemasToCreate()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + PgSql.quote(s));
        }
        for (Extension e : plan.extensionsToCreate()) {
            e.create(st);
        }
        for (UserType t : plan.typesToCreate()) {
            createType(st, t);
        }
        // Before the tables whose defaults read them; the copy gives every row its value, so none is drawn.
        for (SequenceDef seq : plan.sequencesToCreate()) {
            st.execute(seq.createSql(seq.qualified()));
        }
    }

    /** Creates {@code t} as {@code tt} on a target of major version {@code major}, with {@code st}. */
    static void createTable(Statement st, SourceTable t, TargetTable tt, int major) throws SQLException {
        try {
            st.execute(tableDdl(t, tt, major));
        } catch (SQLException e) {
            if (!JdbcErrors.refusesDefinition(e)) {
                throw e;
            }
            // A default or a generated column may call a function this target's version lacks.
            throw PgFerryException.fatal(
                    "could not create target table " + tt + " from the definition of source table " + t.name() + ": "
                            + JdbcErrors.definitionError(e),
                    "create the table at the target yourself (the sync then uses it as it is)",
                    e);
        }
    }

    /** Creates {@code t}; a failure is fatal, with the server's message and the fix. */
    static void createType(Statement st, UserType t) throws SQLException {
        try {
            // A domain's checks name the types of its own schema unqualified (SourceCatalog).
            st.execute("SET search_path = " + PgSql.quote(t.schema()) + ", pg_catalog");
            st.execute(typeDdl(t));
            st.execute("SET search_path = pg_catalog");
        } catch (SQLException e) {
            if (!JdbcErrors.refusesDefinition(e)) {
                throw e;
            }
            // A composite's attribute may have an extension's type the target lacks.
            throw PgFerryException.fatal(
                    "could not create type " + t.key() + " at the target from the source's definition: "
                            + JdbcErrors.definitionError(e),
                    "create the type at the target yourself, or install the extensions its attributes need",
                    e);
        }
    }

    static String typeDdl(UserType t) {
        StringBuilder s = new StringBuilder("CREATE ");
        if (t.kind() == 'c') {
            return s.append("TYPE ")
                    .append(PgSql.qualified(t.schema(), t.name()))
                    .append(" AS (")
                    .append(String.join(", ", t.attributes()))
                    .append(')')
                    .toString();
        }
        if (t.kind() == 'e') {
            s.append("TYPE ").append(PgSql.qualified(t.schema(), t.name())).append(" AS ENUM (");
            for (int i = 0; i < t.labels().size(); i++) {
                s.append(i == 0 ? "" : ", ").append(PgSql.literal(t.labels().get(i)));
            }
            return s.append(')').toString();
        }
        s.append("DOMAIN ")
                .append(PgSql.qualified(t.schema(), t.name()))
                .append(" AS ")
                .append(t.baseType());
        if (t.notNull()) {
            s.append(" NOT NULL");
        }
        for (String check : t.checks()) {
            s.append(' ').append(check);
        }
        return s.toString();
    }

    /**
     * The CREATE TABLE of {@code t} for a target of major version {@code targetMajor}. A virtual generated column is
     * created virtual where the target has them (PostgreSQL 18 and later), else stored: the same values, computed
     * when written instead of when read.
     */
    static String tableDdl(SourceTable t, TargetTable tt, int targetMajor) {
        StringBuilder s = new StringBuilder("CREATE TABLE ")
                .append(PgSql.qualified(tt.schema(), tt.table()))
                .append(" (");
        for (int i = 0; i < t.columns().size(); i++) {
            ColumnDef c = t.columns().get(i);
            s.append(i == 0 ? "" : ", ")
                    .append(PgSql.quote(c.name()))
                    .append(' ')
                    .append(c.typeSql());
            if (c.collation() != null) {
                s.append(" COLLATE ").append(c.collation());
            }
            if (c.generated() != null) {
                s.append(" GENERATED ALWAYS AS (")
                        .append(c.generated())
                        .append(c.virtual() && targetMajor >= 18 ? ") VIRTUAL" : ") STORED");
                continue;
            }
            if (c.identity() != 0) {
                s.append(" GENERATED BY DEFAULT AS IDENTITY");
            }
            if (c.notNull()) {
                s.append(" NOT NULL");
            }
            if (c.defaultSql() != null) {
                s.append(" DEFAULT ").append(c.defaultSql());
            }
        }
        return s.append(')').toString();
    }
}
