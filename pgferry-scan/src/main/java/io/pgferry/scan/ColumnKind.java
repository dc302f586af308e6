package io.pgferry.scan;

import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeInfo;
import io.pgferry.core.value.TypeResolver;

/** How a column's values are read for scanning, by type; {@link #SKIP} for types that cannot hold text. */
public enum ColumnKind {
    /** text, varchar, char, name, citext, and domains over them: the value as it is. */
    TEXT,
    /** json and jsonb: every string leaf, with its JSON path. */
    JSON,
    /** Arrays of text-like types: every element, with its subscript. */
    TEXT_ARRAY,
    /** numeric and bigint, scanned only when asked (card numbers stored as numbers). */
    NUMBER,
    SKIP;

    /** The kind of a column of type {@code oid}; numeric and bigint are {@link #NUMBER} only when {@code numbers}. */
    public static ColumnKind of(int oid, TypeResolver types, boolean numbers) {
        int base = baseOf(oid, types);
        return switch (base) {
            case BuiltinTypes.TEXT, BuiltinTypes.VARCHAR, BuiltinTypes.BPCHAR, BuiltinTypes.NAME -> TEXT;
            case BuiltinTypes.JSON, BuiltinTypes.JSONB -> JSON;
            case BuiltinTypes.TEXT_ARRAY, BuiltinTypes.VARCHAR_ARRAY, BuiltinTypes.BPCHAR_ARRAY -> TEXT_ARRAY;
            case BuiltinTypes.NUMERIC, BuiltinTypes.INT8 -> numbers ? NUMBER : SKIP;
            default -> isCitext(base, types) ? TEXT : SKIP;
        };
    }

    /** Follows domains down to the type they constrain (a domain over a domain too). */
    private static int baseOf(int oid, TypeResolver types) {
        int o = oid;
        for (int depth = 0; depth < 16; depth++) {
            TypeInfo t = types == null ? null : types.resolve(o);
            if (t == null || t.kind() != TypeInfo.Kind.DOMAIN) {
                return o;
            }
            o = t.baseOid();
        }
        return o;
    }

    private static boolean isCitext(int oid, TypeResolver types) {
        TypeInfo t = types == null ? null : types.resolve(oid);
        return t != null && t.kind() == TypeInfo.Kind.BASE && t.name().equals("citext");
    }
}
