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

    private static final String TABLE = "SELECT c.oid, c.relkind, c.relreplident,"
            + " quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
            + " (SELECT quote_ident(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid"
            + " WHERE x.indrelid = c.oid AND x.indisreplident)"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?";

    private static final String COLUMNS = "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod),"
            + " a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
            + " t.typtype, tn.nspname, t.typname, e.oid, e.typtype, en.nspname, e.typname,"
            + " (SELECT s.relname FROM pg_class s WHERE s.oid = pg_get_serial_sequence(?, a.attname)::regclass),"
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
            + " AND dep.objid = d.oid AND dep.refobjid >= " + FIRST_NORMAL_OID + " AND dep.refobjid <> a.attrelid)"
            + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            + " JOIN pg_namespace tn ON tn.oid = t.typnamespace"
            + " LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
            + " LEFT JOIN pg_namespace en ON en.oid = e.typnamespace"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
            + " LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace"
            + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

    private static final String PRIMARY_KEY = "SELECT a.attname FROM pg_index i"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
            + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)";

    /**
     * The relations holding a table's rows with their sizes: the table itself, or the leaves of its partition tree
     * (pg_partition_tree lists nothing for a table outside one).
     */
    private static final String LEAVES = "SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
            + " pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples::bigint"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.oid IN (SELECT ?::oid WHERE NOT EXISTS (SELECT 1 FROM pg_class p WHERE p.oid = ?::oid AND"
            + " p.relkind = 'p') UNION ALL SELECT relid FROM pg_partition_tree(?::oid::regclass) WHERE isleaf)";

    private static final String INDEXES = "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
            + " WHERE i.indrelid = ? AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
            + " WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY i.indexrelid";

    private static final String CONSTRAINTS = "SELECT k.conname, k.contype, pg_get_constraintdef(k.oid),"
            + " CASE WHEN k.contype = 'f' THEN quote_ident(rn.nspname) || '.' || quote_ident(r.relname) END,"
            + " k.confrelid FROM pg_constraint k LEFT JOIN pg_class r ON r.oid = k.confrelid"
            + " LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace"
            + " WHERE k.conrelid = ? AND k.contype IN ('u', 'c', 'x', 'f') AND k.conparentid = 0"
            + " ORDER BY k.contype = 'f', k.conname";

    private static final String ENUM_LABELS =
            "SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder";

    /** A domain's NOT NULL, CHECK constraints and base type (its columns as typeSql reads them). */
    private static final String DOMAIN = "SELECT t.typnotnull,"
            + " ARRAY(SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.contypid = t.oid"
            + " AND k.contype = 'c' ORDER BY k.conname),"
            + " b.oid, format_type(t.typbasetype, t.typtypmod), b.typtype, bn.nspname, b.typname, e.oid, e.typtype,"
            + " en.nspname, e.typname"
            + " FROM pg_type t JOIN pg_type b ON b.oid = t.typbasetype JOIN pg_namespace bn ON bn.oid = b.typnamespace"
            + " LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'"
            + " LEFT JOIN pg_namespace en ON en.oid = e.typnamespace"
            + " WHERE t.oid = ?";

    /**
     * A composite type's relkind ('c' for a stand-alone composite, else a table's row type) and attributes: name, type
     * oid, format_type, typtype, type schema and name, and an array's element oid, typtype, schema and name.
     */
    private static final String COMPOSITE = "SELECT r.relkind, a.attname, a.atttypid,"
            + " format_type(a.atttypid, a.atttypmod), t.typtype, tn.nspname, t.typname, e.oid, e.typtype,"
            + " en.nspname, e.typname"
            + " FROM pg_type c JOIN pg_class r ON r.oid = c.typrelid"
            + " JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
            + " JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace"
            + " LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
            + " LEFT JOIN pg_namespace en ON en.oid = e.typnamespace"
            + " WHERE c.oid = ? ORDER BY a.attnum";

    /**
     * The sync's publication's row filter for a table: pg_publication_rel.prqual, PostgreSQL 15 and later. A
     * partitioned table published through its root has the root's (PostgreSQL docs, CREATE PUBLICATION).
     */
    private static final String ROW_FILTER = "SELECT pg_get_expr(pr.prqual, pr.prrelid) FROM pg_publication_rel pr"
            + " JOIN pg_publication p ON p.oid = pr.prpubid"
            + " WHERE p.pubname = ? AND pr.prrelid = ? AND pr.prqual IS NOT NULL";

    private final Connection connection;
    private final SyncConfig config;
    private final Map<Long, UserType> types = new HashMap<>();

    public SourceCatalog(Connection connection, SyncConfig config) throws SQLException {
        this.connection = connection;
        this.config = config;
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
        List<SourceTable> out = new ArrayList<>();
        for (TableName t : tables) {
            out.add(read(t, readAt, filters));
        }
        return out;
    }

    private SourceTable read(TableName name, Lsn readAt, boolean filters) throws SQLException {
        long oid;
        char kind;
        char identity;
        String printed;
        String identityIndex;
        try (PreparedStatement ps = connection.prepareStatement(TABLE)) {
            ps.setString(1, name.schema());
            ps.setString(2, name.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("table " + name + " disappeared from the source catalog", "42P01");
                }
                oid = rs.getLong(1);
                kind = rs.getString(2).charAt(0);
                identity = rs.getString(3).charAt(0);
                printed = rs.getString(4);
                identityIndex = identity == 'i' ? rs.getString(5) : null;
            }
        }
        List<ColumnDef> columns = columns(oid, printed);
        List<String> pk = strings(PRIMARY_KEY, oid);
        List<SourceTable.Leaf> leaves = new ArrayList<>();
        long blocks = 0;
        long rows = 0;
        try (PreparedStatement ps = connection.prepareStatement(LEAVES)) {
            ps.setLong(1, oid);
            ps.setLong(2, oid);
            ps.setLong(3, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaves.add(new SourceTable.Leaf(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                    blocks += rs.getLong(3);
                    rows += Math.max(0, rs.getLong(4));
                }
            }
        }
        List<SourceTable.ConstraintDef> constraints = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(CONSTRAINTS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    constraints.add(new SourceTable.ConstraintDef(
                            rs.getString(1),
                            rs.getString(2).charAt(0),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getLong(5)));
                }
            }
        }
        return new SourceTable(
                name,
                oid,
                printed,
                identity,
                identityIndex,
                columns,
                pk,
                leaves,
                strings(INDEXES, oid),
                constraints,
                blocks * 8192,
                rows,
                readAt,
                filters ? rowFilter(oid) : null);
    }

    private String rowFilter(long oid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(ROW_FILTER)) {
            ps.setString(1, config.publication());
            ps.setLong(2, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private List<ColumnDef> columns(long oid, String printed) throws SQLException {
        List<ColumnDef> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, printed);
            ps.setLong(2, oid);
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
                        user = userType(
                                elemOid,
                                rs.getString(13),
                                rs.getString(14),
                                rs.getString(12).charAt(0));
                        typeSql = user == null ? typeSql : quoted(user) + "[]";
                    } else if (!isArray && typeOid >= FIRST_NORMAL_OID) {
                        user = userType(typeOid, typeSchema, typeName, typtype);
                        typeSql = user == null ? typeSql : quoted(user);
                    }
                    boolean serialDefault = serial != null && def != null && def.startsWith("nextval(");
                    long sequenceOid = rs.getLong(21);
                    boolean readsSequence = !rs.wasNull();
                    SequenceDef serialSequence = null;
                    SequenceDef defaultSequence = null;
                    String targetDefault = null;
                    if (serialDefault && readsSequence) {
                        serialSequence = SequenceDef.read(connection, sequenceOid, config::targetSchema);
                    } else if (readsSequence
                            && !generated
                            && rs.getLong(22) == 1
                            && NEXTVAL.matcher(def).matches()) {
                        defaultSequence = SequenceDef.read(connection, sequenceOid, config::targetSchema);
                        targetDefault = defaultSequence.nextvalSql();
                    } else if (def != null && !generated && !serialDefault) {
                        Matcher literal = LITERAL_CAST.matcher(def);
                        if (rs.getBoolean(17)) {
                            targetDefault = def;
                        } else if (user != null && literal.matches()) {
                            targetDefault = literal.group(1);
                        }
                    }
                    out.add(new ColumnDef(
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

    private String quoted(UserType t) {
        return PgSql.qualified(t.schema(), t.name());
    }

    /**
     * The type, in its target schema, if the sync creates it where missing: an enum, a domain or a stand-alone
     * composite ({@code CREATE TYPE ... AS (...)}, not a table's row type); null for any other type (an extension's),
     * which the target must have.
     */
    private UserType userType(long oid, String schema, String name, char kind) throws SQLException {
        UserType known = types.get(oid);
        if (known != null) {
            return known;
        }
        String targetSchema = config.targetSchema(schema);
        UserType t;
        if (kind == 'e') {
            t = UserType.enumType(targetSchema, name, strings(ENUM_LABELS, oid));
        } else if (kind == 'd') {
            // The checks are printed with the domain's own schema on the search_path, so that the types they cast
            // to in it are not qualified with a schema the map may send elsewhere; the target creates the domain
            // with its target schema on the search_path (TargetSchema.create).
            try (PreparedStatement path = connection.prepareStatement(
                            "SELECT set_config('search_path', quote_ident(?) || ', pg_catalog', false)");
                    PreparedStatement ps = connection.prepareStatement(DOMAIN);
                    Statement reset = connection.createStatement()) {
                path.setString(1, schema);
                path.execute();
                ps.setLong(1, oid);
                boolean notNull;
                List<String> checks = new ArrayList<>();
                String[] base = new String[9];
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    notNull = rs.getBoolean(1);
                    for (Object o : (Object[]) rs.getArray(2).getArray()) {
                        checks.add((String) o);
                    }
                    for (int i = 0; i < base.length; i++) {
                        base[i] = rs.getString(i + 3);
                    }
                }
                reset.execute("SET search_path = pg_catalog");
                List<UserType> uses = new ArrayList<>();
                String baseType = typeSql(base, 0, uses);
                t = UserType.domain(targetSchema, name, baseType, notNull, checks, uses);
            }
        } else if (kind == 'c') {
            t = composite(oid, targetSchema, name);
        } else {
            t = null;
        }
        if (t != null) {
            types.put(oid, t);
        }
        return t;
    }

    /** A stand-alone composite type with its attributes, or null for a table's row type. */
    private UserType composite(long oid, String targetSchema, String name) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COMPOSITE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!"c".equals(rs.getString(1))) {
                        return null;
                    }
                    String[] r = new String[10];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = rs.getString(i + 2);
                    }
                    rows.add(r);
                }
            }
        }
        List<String> attributes = new ArrayList<>();
        List<UserType> uses = new ArrayList<>();
        for (String[] r : rows) {
            // r: the attribute's name, then the type's columns as typeSql reads them
            String typeSql = typeSql(r, 1, uses);
            attributes.add(PgSql.quote(r[0]) + " " + typeSql);
        }
        return UserType.composite(targetSchema, name, attributes, uses);
    }

    /**
     * A type as the target writes it, from {@code r[from..from+8]}: its oid, format_type, typtype, schema and name,
     * then an array's element oid, typtype, schema and name (nulls for a non-array). A type of the source's own that
     * the sync creates is written in its target schema and added to {@code uses}; any other as format_type prints it.
     */
    private String typeSql(String[] r, int from, List<UserType> uses) throws SQLException {
        boolean array = r[from + 5] != null;
        long typeOid = Long.parseLong(array ? r[from + 5] : r[from]);
        UserType used = typeOid < FIRST_NORMAL_OID
                ? null
                : array
                        ? userType(typeOid, r[from + 7], r[from + 8], r[from + 6].charAt(0))
                        : userType(typeOid, r[from + 3], r[from + 4], r[from + 2].charAt(0));
        if (used == null) {
            return r[from + 1];
        }
        uses.add(used);
        return quoted(used) + (array ? "[]" : "");
    }

    private List<String> strings(String sql, long oid) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
