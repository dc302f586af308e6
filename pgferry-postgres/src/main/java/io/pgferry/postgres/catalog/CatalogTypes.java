package io.pgferry.postgres.catalog;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeInfo;
import io.pgferry.core.value.TypeResolver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves type OIDs: built-in types from {@link BuiltinTypes}, user types (enums, domains, arrays of them) from
 * pg_type. User types are loaded when a Relation that uses them arrives ({@link #load(Relation)}, on the stream
 * thread), so {@link #resolve(int)} never touches the database and is safe from any thread.
 */
public final class CatalogTypes implements TypeResolver {
    /** FirstNormalObjectId: OIDs below it belong to the system catalogs (PostgreSQL's transam.h). */
    private static final int FIRST_NORMAL_OID = 16384;

    private static final String QUERY = "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typcategory, t.typelem,"
            + " t.typbasetype, t.typdelim FROM pg_catalog.pg_type t"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?";

    private final Map<Integer, TypeInfo> loaded = new ConcurrentHashMap<>();
    private Connection connection;

    /** Uses {@code connection} (owned by the caller) for lookups until the next call. */
    public void useConnection(Connection connection) {
        this.connection = connection;
    }

    @Override
    public TypeInfo resolve(int oid) {
        TypeInfo t = loaded.get(oid);
        return t != null ? t : BuiltinTypes.builtin().resolve(oid);
    }

    /** Loads every type the relation's columns use, and their element and base types. */
    public void load(Relation relation) throws SQLException {
        List<Integer> oids = new ArrayList<>();
        for (Column c : relation.columns()) {
            oids.add(c.typeOid());
        }
        load(oids);
    }

    /** Loads the given types and their element and base types. */
    public void load(Collection<Integer> oids) throws SQLException {
        Deque<Integer> todo = new ArrayDeque<>(oids);
        while (!todo.isEmpty()) {
            int oid = todo.pop();
            if (loaded.containsKey(oid)
                    || (oid < FIRST_NORMAL_OID && BuiltinTypes.builtin().resolve(oid) != null)) {
                continue;
            }
            TypeInfo t = query(oid);
            if (t == null) {
                continue;
            }
            loaded.put(oid, t);
            if (t.elementOid() != 0) {
                todo.push(t.elementOid());
            }
            if (t.baseOid() != 0) {
                todo.push(t.baseOid());
            }
        }
    }

    private TypeInfo query(int oid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
            ps.setLong(1, oid & 0xFFFFFFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String typtype = rs.getString(4);
                String category = rs.getString(5);
                int elem = (int) rs.getLong(6);
                int base = (int) rs.getLong(7);
                String delim = rs.getString(8);
                TypeInfo.Kind kind = kindOf(typtype, category, elem);
                return new TypeInfo(
                        oid,
                        rs.getString(2),
                        rs.getString(3),
                        kind,
                        kind == TypeInfo.Kind.ARRAY ? elem : 0,
                        kind == TypeInfo.Kind.DOMAIN ? base : 0,
                        delim == null || delim.isEmpty() ? ',' : delim.charAt(0));
            }
        }
    }

    private static TypeInfo.Kind kindOf(String typtype, String category, int elem) {
        switch (typtype) {
            case "e":
                return TypeInfo.Kind.ENUM;
            case "d":
                return TypeInfo.Kind.DOMAIN;
            case "c":
                return TypeInfo.Kind.COMPOSITE;
            case "r":
            case "m":
                return TypeInfo.Kind.RANGE;
            case "b":
                return "A".equals(category) && elem != 0 ? TypeInfo.Kind.ARRAY : TypeInfo.Kind.BASE;
            default:
                return TypeInfo.Kind.OTHER;
        }
    }
}
