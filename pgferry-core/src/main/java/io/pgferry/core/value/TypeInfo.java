package io.pgferry.core.value;

/**
 * What pgferry needs to know of a PostgreSQL type to decode its values (from pg_type): its kind, and for arrays the
 * element type and delimiter, for domains the base type.
 *
 * @param oid pg_type.oid
 * @param schema namespace name
 * @param name type name
 * @param kind what the type is
 * @param elementOid for {@link Kind#ARRAY}: the element type's OID, else 0
 * @param baseOid for {@link Kind#DOMAIN}: the underlying type's OID, else 0
 * @param delimiter for arrays: the element delimiter (',' for every built-in type but box)
 */
public record TypeInfo(int oid, String schema, String name, Kind kind, int elementOid, int baseOid, char delimiter) {
    /** pg_type.typtype and typcategory condensed to what decoding needs. */
    public enum Kind {
        BASE,
        ARRAY,
        ENUM,
        DOMAIN,
        COMPOSITE,
        RANGE,
        OTHER
    }

    public static TypeInfo base(int oid, String name) {
        return new TypeInfo(oid, "pg_catalog", name, Kind.BASE, 0, 0, ',');
    }
}
