package io.pgferry.engine.schema;

import io.pgferry.core.Lsn;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the definitions of the selected source tables from the catalog. The connection's search_path is set to
 * pg_catalog alone, so that every name the server prints (format_type, pg_get_indexdef, pg_get_constraintdef) is
 * schema-qualified and can be mapped to the target.
 */
public final class SourceCatalog {
    /** Built-in objects have OIDs below FirstNormalObjectId (PostgreSQL's transam.h). */
    public static final long FIRST_NORMAL_OID = 16384;

    /**
     * A literal, perhaps cast to some type: the default of an enum or domain column, whose cast names the type in its
     * source schema. The target table's column gives the literal its type, wherever the schema map puts it.
     */
    private static final Pattern LITERAL_CAST = Pattern.compile(
            "^\\(?('(?:[^']|'')*'|-?[0-9]+(?:\\.[0-9]+)?(?:e[-+]?[0-9]+)?|true|false)\\)?(?:::.+)?$",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    /** A default of just {@code nextval} of one sequence, as pg_get_expr prints it. */
    private static final Pattern NEXTVAL = Pattern.compile("^nextval\\('(?:[^']|'')+'::regclass\\)$");

    /*
     * Each query below reads what it reads for every selected table at once (the oids in ?, an array), its first
     * column the table's oid: a sync of thousands of tables read them a query per table and kind, some 25 seconds
     * of round trips for 10,000 tables.
     */

    /** The tables named by ?1 (schemas) and ?2 (names), two arrays of the same length. */
    private static final String TABLES = "SELECT c.oid, c.relkind, c.relreplident,"
            + " quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
            + " (SELECT quote_ident(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid"
            + " WHERE x.indrelid = c.oid AND x.indisreplident), n.nspname, c.relname"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(?::text[], ?::text[]))";

    private static final String COLUMNS = "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod),"
            + " a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
            + " t.typtype, tn.nspname, t.typname, e.oid, e.typtype, en.nspname, e.typname,"
            // regclass prints the table schema-qualified: the session's search_path is pg_catalog alone.
            + " (SELECT s.relname FROM pg_class s"
            + " WHERE s.oid = pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass),"
            + " a.atttypmod,"
            // Whether the default calls, casts to or reads only built-in objects (its own table aside), so that the
            // target can evaluate it as printed: a constant, now(), gen_random_uuid(), CURRENT_DATE.
            + " NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_attrdef'::regclass"
            + " AND dep.objid = d.oid AND dep.refobjid >= " + FIRST_NORMAL_OID + " AND dep.refobjid <> a.attrelid),"
            + " CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' ||"
            + " quote_ident(co.collname) END,"
            // The extension that owns the type (or an array's element type), and its schema.
            + " (SELECT x.extname FROM pg_depend xd JOIN pg_extension x ON x.oid = xd.refobjid"
            + " WHERE xd.classid = 'pg_type'::regclass AND xd.objid = COALESCE(e.oid, t.oid)"
            + " AND xd.refclassid = 'pg_extension'::regclass AND xd.deptype = 'e'),"
            + " CASE WHEN e.oid IS NULL THEN tn.nspname ELSE en.nspname END,"
            // The sequence the default reads (nextval), and how many objects of the source's own the default uses
            // besides its table: a default of just nextval(...) uses that sequence alone.
            + " (SELECT sd.refobjid FROM pg_depend sd JOIN pg_class s ON s.oid = sd.refobjid AND s.relkind = 'S'"
            + " WHERE sd.classid = 'pg_attrdef'::regclass AND sd.objid = d.oid"
            + " AND sd.refclassid = 'pg_class'::regclass LIMIT 1),"
            + " (SELECT count(*) FROM pg_depend dep WHERE dep.classid = 'pg_attrdef'::regclass"
            + " AND dep.objid = d.oid AND dep.refobjid >= " + FIRST_NORMAL_OID + " AND dep.refobjid <> a.attrelid),"
            + " a.attrelid"
            + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            + " JOIN pg_namespace tn ON tn.oid = t.typnamespace"
            + " LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
            + " LEFT JOIN pg_namespace en ON en.oid = e.typnamespace"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
            + " LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace"
            + " WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";

    private static final String PRIMARY_KEY = "SELECT i.indrelid, a.attname FROM pg_index i"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
            + " WHERE i.indrelid = ANY (?::oid[]) AND i.indisprimary"
            + " ORDER BY i.indrelid, array_position(i.indkey::int2[], a.attnum)";

    /**
     * The relations holding a table's rows with their sizes: the table itself, or the leaves of its partition tree
     * (pg_partition_tree lists nothing for a table outside one).
     */
    private static final String LEAVES =
            "SELECT r.root, c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
                    + " pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples::bigint"
                    + " FROM (SELECT t.root, l.relid FROM unnest(?::oid[]) AS t (root) CROSS JOIN LATERAL"
                    + " (SELECT t.root AS relid WHERE NOT EXISTS (SELECT 1 FROM pg_class p WHERE p.oid = t.root"
                    + " AND p.relkind = 'p') UNION ALL SELECT relid FROM pg_partition_tree(t.root::regclass) WHERE isleaf) l) r"
                    + " JOIN pg_class c ON c.oid = r.relid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " ORDER BY r.root, c.oid";

    private static final String INDEXES = "SELECT i.indrelid, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            + " WHERE i.indrelid = ANY (?::oid[]) AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
            + " WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY i.indrelid, i.indexrelid";

    private static final String CONSTRAINTS = "SELECT k.conrelid, k.conname, k.contype, pg_get_constraintdef(k.oid),"
            + " CASE WHEN k.contype = 'f' THEN quote_ident(rn.nspname) || '.' || quote_ident(r.relname) END,"
            + " k.confrelid FROM pg_constraint k LEFT JOIN pg_class r ON r.oid = k.confrelid"
            + " LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace"
            + " WHERE k.conrelid = ANY (?::oid[]) AND k.contype IN ('u', 'c', 'x', 'f') AND k.conparentid = 0"
            + " ORDER BY k.conrelid, k.contype = 'f', k.conname";

    /**
     * The sync's publication's row filter for a table: pg_publication_rel.prqual, PostgreSQL 15 and later. A
     * partitioned table published through its root has the root's (PostgreSQL docs, CREATE PUBLICATION).
     */
    private static final String ROW_FILTER = "SELECT pr.prrelid, pg_get_expr(pr.prqual, pr.prrelid)"
            + " FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid"
            + " WHERE pr.prrelid = ANY (?::oid[]) AND p.pubname = ? AND pr.prqual IS NOT NULL";

    private final Connection connection;
    private final SyncConfig config;
    private final SourceTypes types;

    /** A selected table as the catalog has it: its oid, replica identity, printed name and identity index. */
    private record Found(long oid, char identity, String printed, String identityIndex) {}

    public SourceCatalog(Connection connection, SyncConfig config) throws SQLException {
        this.connection = connection;
        this.config = config;
        this.types = new SourceTypes(connection, config);
        try (Statement st = connection.createStatement()) {
            st.execute("SET search_path = pg_catalog");
        }
    }

    /**
     * The definitions of {@code tables} as they are now, each with the WAL position read before them ({@link
     * SourceTable#readAt}); on a standby, the position replayed.
     */
    public List<SourceTable> read(List<TableName> tables) throws SQLException {
        Lsn readAt;
        // The end of the WAL inserted, not written: a transaction committed with synchronous_commit = off has its
        // commit record inserted but perhaps not yet written (PostgreSQL docs, "System Administration Functions").
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
                        + " ELSE pg_current_wal_insert_lsn() END")) {
            rs.next();
            readAt = Lsn.parse(rs.getString(1));
        }
        boolean filters;
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int >= 150000")) {
            rs.next();
            filters = rs.getBoolean(1) && config.publication() != null;
        }
        Map<TableName, Found> found = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(TABLES)) {
            ps.setArray(
                    1,
                    connection.createArrayOf(
                            "text", tables.stream().map(TableName::schema).toArray()));
            ps.setArray(
                    2,
                    connection.createArrayOf(
                            "text", tables.stream().map(TableName::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    char identity = rs.getString(3).charAt(0);
                    found.put(
                            new TableName(rs.getString(6), rs.getString(7)),
                            new Found(
                                    rs.getLong(1),
                                    identity,
                                    rs.getString(4),
                                    identity == 'i' ? rs.getString(5) : null));
                }
            }
        }
        List<Long> oids = new ArrayList<>();
        for (TableName t : tables) {
            Found f = found.get(t);
            if (f == null) {
                throw new SQLException("table " + t + " disappeared from the source catalog", "42P01");
            }
            oids.add(f.oid());
        }
        java.sql.Array oidArray = connection.createArrayOf("int8", oids.toArray());
        Map<Long, List<ColumnDef>> columns = columns(oidArray);
        Map<Long, List<String>> pk = strings(PRIMARY_KEY, oidArray);
        Map<Long, List<SourceTable.Leaf>> leaves = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(LEAVES)) {
            ps.setArray(1, oidArray);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaves.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new SourceTable.Leaf(rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        Map<Long, List<SourceTable.ConstraintDef>> constraints = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(CONSTRAINTS)) {
            ps.setArray(1, oidArray);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    constraints
                            .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new SourceTable.ConstraintDef(
                                    rs.getString(2),
                                    rs.getString(3).charAt(0),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getLong(6)));
                }
            }
        }
        Map<Long, List<String>> indexes = strings(INDEXES, oidArray);
        Map<Long, String> rowFilters = new HashMap<>();
        if (filters) {
            try (PreparedStatement ps = connection.prepareStatement(ROW_FILTER)) {
                ps.setArray(1, oidArray);
                ps.setString(2, config.publication());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rowFilters.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
        }
        List<SourceTable> out = new ArrayList<>();
        for (TableName t : tables) {
            Found f = found.get(t);
            long oid = f.oid();
            List<SourceTable.Leaf> tableLeaves = leaves.getOrDefault(oid, List.of());
            long blocks = 0;
            long rows = 0;
            for (SourceTable.Leaf leaf : tableLeaves) {
                blocks += leaf.blocks();
                rows += Math.max(0, leaf.estimatedRows());
            }
            out.add(new SourceTable(
                    t,
                    oid,
                    f.printed(),
                    f.identity(),
                    f.identityIndex(),
                    columns.getOrDefault(oid, List.of()),
                    pk.getOrDefault(oid, List.of()),
                    tableLeaves,
                    indexes.getOrDefault(oid, List.of()),
                    constraints.getOrDefault(oid, List.of()),
                    blocks * 8192,
                    rows,
                    readAt,
                    rowFilters.get(oid)));
        }
        return out;
    }

    /**
     * The sequence {@code oid} of {@code sequences}, read by the query just before the columns': a default changed in
     * between to read another sequence is a schema change during the start.
     */
    private static SequenceDef sequence(Map<Long, SequenceDef> sequences, long oid) throws SQLException {
        SequenceDef seq = sequences.get(oid);
        if (seq == null) {
            throw new SQLException(
                    "a column default of the source reads sequence " + oid + ", which it did not a moment before:"
                            + " the source's schema changed during the start; start again",
                    "42P01");
        }
        return seq;
    }

    /** The columns of the tables whose oids are {@code oids}, by table, in column order. */
    private Map<Long, List<ColumnDef>> columns(java.sql.Array oids) throws SQLException {
        Map<Long, List<ColumnDef>> out = new HashMap<>();
        Map<Long, SequenceDef> sequences = SequenceDef.readOfDefaults(connection, oids, config::targetSchema);
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setArray(1, oids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    int typeOid = (int) rs.getLong(2);
                    String formatted = rs.getString(3);
                    String def = rs.getString(5);
                    String ident = rs.getString(6);
                    String gen = rs.getString(7);
                    char typtype = rs.getString(8).charAt(0);
                    String typeSchema = rs.getString(9);
                    String typeName = rs.getString(10);
                    long elemOid = rs.getLong(11);
                    boolean isArray = !rs.wasNull();
                    String serial = rs.getString(15);
                    boolean generated = gen != null && !gen.isEmpty();
                    UserType user = null;
                    String typeSql = formatted;
                    boolean builtin = typeOid < FIRST_NORMAL_OID && (!isArray || elemOid < FIRST_NORMAL_OID);
                    // An extension's type comes with its extension, whatever its kind.
                    Extension extension =
                            rs.getString(19) == null ? null : new Extension(rs.getString(19), rs.getString(20));
                    if (extension != null) {
                        typeSql = formatted;
                    } else if (isArray && elemOid >= FIRST_NORMAL_OID) {
                        user = types.userType(
                                elemOid,
                                rs.getString(13),
                                rs.getString(14),
                                rs.getString(12).charAt(0));
                        typeSql = user == null ? typeSql : SourceTypes.quoted(user) + "[]";
                    } else if (!isArray && typeOid >= FIRST_NORMAL_OID) {
                        user = types.userType(typeOid, typeSchema, typeName, typtype);
                        typeSql = user == null ? typeSql : SourceTypes.quoted(user);
                    }
                    boolean serialDefault = serial != null && def != null && def.startsWith("nextval(");
                    long sequenceOid = rs.getLong(21);
                    boolean readsSequence = !rs.wasNull();
                    SequenceDef serialSequence = null;
                    SequenceDef defaultSequence = null;
                    String targetDefault = null;
                    if (serialDefault && readsSequence) {
                        serialSequence = sequence(sequences, sequenceOid);
                    } else if (readsSequence
                            && !generated
                            && rs.getLong(22) == 1
                            && NEXTVAL.matcher(def).matches()) {
                        defaultSequence = sequence(sequences, sequenceOid);
                        targetDefault = defaultSequence.nextvalSql();
                    } else if (def != null && !generated && !serialDefault) {
                        Matcher literal = LITERAL_CAST.matcher(def);
                        if (rs.getBoolean(17)) {
                            targetDefault = def;
                        } else if (user != null && literal.matches()) {
                            targetDefault = literal.group(1);
                        }
                    }
                    out.computeIfAbsent(rs.getLong(23), k -> new ArrayList<>())
                            .add(new ColumnDef(
                                    name,
                                    typeOid,
                                    rs.getInt(16),
                                    typeSql,
                                    builtin,
                                    user,
                                    rs.getBoolean(4),
                                    rs.getString(18),
                                    targetDefault,
                                    ident == null || ident.isEmpty() ? 0 : ident.charAt(0),
                                    generated ? def : null,
                                    "v".equals(gen),
                                    serialSequence,
                                    defaultSequence,
                                    extension));
                }
            }
        }
        return out;
    }

    /** The strings {@code sql} returns in its second column for each table oid in its first, in its order. */
    private Map<Long, List<String>> strings(String sql, java.sql.Array oids) throws SQLException {
        Map<Long, List<String>> out = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setArray(1, oids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }
}
