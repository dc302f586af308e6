package io.pgferry.engine.schema;

import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is built after a table's data is in.
 *
 * @param indexes independent statements, one index each, that may run at once (the primary key's unique index
 *     among them), also with other tables' copies
 * @param attach what needs the indexes or takes the table's lock: the primary key made from its index, unique,
 *     check and exclusion constraints, serial sequences, a replica identity other than the default
 * @param foreignKeys foreign keys, which need the keys they reference: after every table's attach
 * @param uniqueIndexes those of {@code indexes} that are unique, the primary key's aside
 * @param uniqueConstraints those of {@code attach} that are unique or exclusion constraints, or need one (a replica
 *     identity {@code USING INDEX})
 */
public record PostData(
        List<String> indexes,
        List<String> attach,
        List<String> foreignKeys,
        List<String> uniqueIndexes,
        List<String> uniqueConstraints) {
    private static final Logger log = LoggerFactory.getLogger(PostData.class);

    /**
     * What holds for each row alone, so for rows read at different moments too: the key, plain indexes, check
     * constraints, sequences. Unique indexes and constraints and foreign keys relate rows to each other, and a
     * copy that did not read one snapshot may break them until the changes made meanwhile are replayed.
     */
    public PostData perRow() {
        return new PostData(
                indexes.stream().filter(i -> !uniqueIndexes.contains(i)).toList(),
                attach.stream().filter(a -> !uniqueConstraints.contains(a)).toList(),
                List.of(),
                List.of(),
                List.of());
    }

    /** What {@link #perRow} leaves out: the unique indexes and constraints, and the foreign keys. */
    public PostData notPerRow() {
        return new PostData(uniqueIndexes, uniqueConstraints, foreignKeys, uniqueIndexes, uniqueConstraints);
    }

    /** The same without the foreign keys. */
    public PostData withoutForeignKeys() {
        return new PostData(indexes, attach, List.of(), uniqueIndexes, uniqueConstraints);
    }

    /** The foreign keys alone. */
    public PostData foreignKeysOnly() {
        return new PostData(List.of(), List.of(), foreignKeys, List.of(), List.of());
    }

    /**
     * The same with each foreign key added {@code NOT VALID}: checked for the rows written from then on, not for
     * those already in (PostgreSQL docs, ALTER TABLE).
     */
    public PostData foreignKeysNotValid() {
        return new PostData(
                indexes,
                attach,
                foreignKeys.stream()
                        .map(f -> f.endsWith(" NOT VALID") ? f : f + " NOT VALID")
                        .toList(),
                uniqueIndexes,
                uniqueConstraints);
    }

    /** Memory for one index build's sort: enough to sort a key of some ten million rows without spilling to disk. */
    static final String INDEX_BUILD_MEMORY = "256MB";

    /**
     * Raises maintenance_work_mem for the index builds of this session to {@link #INDEX_BUILD_MEMORY} when the
     * target's setting is lower (the default is 64MB, which sends the sort of a large table's key to disk; see the
     * PostgreSQL docs, "Resource Consumption").
     */
    public static void prepareIndexBuilds(Statement st) throws SQLException {
        st.execute("SELECT pg_catalog.set_config('maintenance_work_mem', '" + INDEX_BUILD_MEMORY + "', false)"
                + " WHERE pg_catalog.pg_size_bytes(pg_catalog.current_setting('maintenance_work_mem'))"
                + " < pg_catalog.pg_size_bytes('" + INDEX_BUILD_MEMORY + "')");
    }

    /**
     * Builds, one statement after another on {@code target}, the indexes, keys and foreign keys of every table the
     * plan creates: for a run that copies nothing into tables it created.
     */
    public static void build(Connection target, List<SourceTable> tables, TargetSchema.Plan plan) throws SQLException {
        Collection<PostData> all = of(tables, plan).values();
        try (Statement st = target.createStatement()) {
            prepareIndexBuilds(st);
            for (PostData p : all) {
                for (String ddl : p.indexes()) {
                    st.execute(ddl);
                }
                for (String ddl : p.attach()) {
                    st.execute(ddl);
                }
            }
            for (PostData p : all) {
                for (String ddl : p.foreignKeys()) {
                    st.execute(ddl);
                }
            }
        }
    }

    /**
     * What is left to build, after their creation, of the tables the plan creates, in table order: all their post
     * data, or what is left of it for those it builds at creation ({@link TargetSchema.Plan#afterCreation}).
     */
    public static Map<TableName, PostData> of(List<SourceTable> tables, TargetSchema.Plan plan) {
        Map<TableName, PostData> out = of(tables, plan.targets(), plan::created);
        out.replaceAll((t, p) -> plan.builtAtCreation(t) ? plan.afterCreation(p) : p);
        return out;
    }

    /** The post-data statements of every table {@code created} says the sync created, in table order. */
    public static Map<TableName, PostData> of(
            List<SourceTable> tables, Map<TableName, TargetTable> targets, Predicate<TableName> created) {
        Map<Long, TargetTable> synced = new HashMap<>();
        for (SourceTable t : tables) {
            synced.put(t.oid(), targets.get(t.name()));
        }
        Map<TableName, PostData> out = new LinkedHashMap<>();
        for (SourceTable t : tables) {
            if (created.test(t.name())) {
                out.put(t.name(), of(t, targets.get(t.name()), synced));
            }
        }
        return out;
    }

    /**
     * The post-data statements of a created table. Foreign keys to tables outside the sync are left out, with a
     * warning.
     */
    public static PostData of(SourceTable t, TargetTable tt, Map<Long, TargetTable> synced) {
        String q = PgSql.qualified(tt.schema(), tt.table());
        List<String> indexes = new ArrayList<>();
        List<String> attach = new ArrayList<>();
        List<String> fks = new ArrayList<>();
        if (!t.primaryKey().isEmpty()) {
            // Built as a unique index, concurrently with the table's other indexes, then attached as the key: ADD
            // PRIMARY KEY would hold the table's exclusive lock for the whole build.
            String name = tt.table() + "_pkey";
            StringBuilder cols = new StringBuilder();
            for (int i = 0; i < t.primaryKey().size(); i++) {
                cols.append(i == 0 ? "" : ", ")
                        .append(PgSql.quote(t.primaryKey().get(i)));
            }
            indexes.add("CREATE UNIQUE INDEX " + PgSql.quote(name) + " ON " + q + " (" + cols + ")");
            attach.add("ALTER TABLE " + q + " ADD CONSTRAINT " + PgSql.quote(name) + " PRIMARY KEY USING INDEX "
                    + PgSql.quote(name));
        }
        List<String> uniqueIndexes = new ArrayList<>();
        List<String> uniqueConstraints = new ArrayList<>();
        for (String index : t.indexes()) {
            String ddl = index.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS ")
                    .replace(" ON ONLY " + t.printed() + " ", " ON " + q + " ")
                    .replace(" ON " + t.printed() + " ", " ON " + q + " ");
            indexes.add(ddl);
            if (index.startsWith("CREATE UNIQUE ")) {
                uniqueIndexes.add(ddl);
            }
        }
        for (SourceTable.ConstraintDef c : t.constraints()) {
            String ddl = "ALTER TABLE " + q + " ADD CONSTRAINT " + PgSql.quote(c.name()) + " ";
            if (c.type() != 'f') {
                attach.add(ddl + c.definition());
                if (c.type() == 'u' || c.type() == 'x') {
                    uniqueConstraints.add(ddl + c.definition());
                }
                continue;
            }
            TargetTable ref = synced.get(c.referencedOid());
            String marker = "REFERENCES " + c.printedReference() + "(";
            if (ref == null || !c.definition().contains(marker)) {
                log.warn(
                        "foreign key {} of {} references a table outside the sync; it is not created at the target",
                        c.name(),
                        t.name());
                continue;
            }
            fks.add(ddl
                    + c.definition().replace(marker, "REFERENCES " + PgSql.qualified(ref.schema(), ref.table()) + "("));
        }
        for (ColumnDef c : t.columns()) {
            if (c.serialSequence() != null) {
                String seq = PgSql.qualified(tt.schema(), c.serialSequence().name());
                attach.add(c.serialSequence().createSql(seq));
                attach.add("ALTER SEQUENCE " + seq + " OWNED BY " + q + "." + PgSql.quote(c.name()));
                attach.add("ALTER TABLE " + q + " ALTER COLUMN " + PgSql.quote(c.name()) + " SET DEFAULT nextval("
                        + PgSql.literal(seq) + "::regclass)");
            }
        }
        String identity = replicaIdentity(t);
        if (identity != null) {
            attach.add("ALTER TABLE " + q + " REPLICA IDENTITY " + identity);
            if (t.replicaIdentity() == 'i') {
                // Names a unique index, which a chunked copy builds once the replay is over.
                uniqueConstraints.add(attach.get(attach.size() - 1));
            }
        }
        return new PostData(indexes, attach, fks, uniqueIndexes, uniqueConstraints);
    }

    /**
     * The source table's replica identity as ALTER TABLE ... REPLICA IDENTITY writes it, or null for the default: the
     * target table logs its changes as the source's does, should it be published in turn (replicating back after an
     * upgrade, a chain of servers). A keyless table whose identity is not FULL could not be updated there.
     */
    private static String replicaIdentity(SourceTable t) {
        switch (t.replicaIdentity()) {
            case 'f':
                return "FULL";
            case 'n':
                return "NOTHING";
            case 'i':
                return t.replicaIdentityIndex() == null ? null : "USING INDEX " + t.replicaIdentityIndex();
            default:
                return null;
        }
    }
}
