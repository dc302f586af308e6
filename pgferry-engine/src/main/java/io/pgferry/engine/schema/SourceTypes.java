package io.pgferry.engine.schema;

import io.pgferry.engine.config.SyncConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The enum, domain and composite types of the source's own that selected columns use, read from its catalog once each
 * ({@link SourceCatalog} asks), with the types they use in turn: what the target needs to create them where it lacks
 * them.
 */
final class SourceTypes {
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

    private final Connection connection;
    private final SyncConfig config;
    private final Map<Long, UserType> types = new HashMap<>();

    SourceTypes(Connection connection, SyncConfig config) {
        this.connection = connection;
        this.config = config;
    }

    static String quoted(UserType t) {
        return PgSql.qualified(t.schema(), t.name());
    }

    /**
     * The type, in its target schema, if the sync creates it where missing: an enum, a domain or a stand-alone
     * composite ({@code CREATE TYPE ... AS (...)}, not a table's row type); null for any other type (an extension's),
     * which the target must have.
     */
    UserType userType(long oid, String schema, String name, char kind) throws SQLException {
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
        UserType used = typeOid < SourceCatalog.FIRST_NORMAL_OID
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
