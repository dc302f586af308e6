package io.pgferry.core.value;

import io.pgferry.core.value.TypeInfo.Kind;
import java.util.HashMap;
import java.util.Map;

/**
 * The built-in types' OIDs, which are fixed in every PostgreSQL release (src/include/catalog/pg_type.dat), and their
 * {@link TypeInfo}, so values can be decoded without a catalog. Types listed here but without a Java mapping in
 * {@link PgValues} (geometric types, reg* types, text search types...) keep their text form; ranges and multiranges
 * are listed as {@link Kind#RANGE} and the record pseudo-type as {@link Kind#COMPOSITE} for the same reason.
 */
public final class BuiltinTypes {
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    /** The one-byte internal type {@code "char"}, not {@code char(n)} (which is {@link #BPCHAR}). */
    public static final int CHAR = 18;

    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int OID = 26;
    public static final int TID = 27;
    public static final int XID = 28;
    public static final int CID = 29;
    public static final int JSON = 114;
    public static final int XML = 142;
    public static final int CIDR = 650;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int MACADDR8 = 774;
    public static final int MONEY = 790;
    public static final int MACADDR = 829;
    public static final int INET = 869;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int DATE = 1082;
    public static final int TIME = 1083;
    public static final int TIMESTAMP = 1114;
    public static final int TIMESTAMPTZ = 1184;
    public static final int INTERVAL = 1186;
    public static final int TIMETZ = 1266;
    public static final int BIT = 1560;
    public static final int VARBIT = 1562;
    public static final int NUMERIC = 1700;
    public static final int REFCURSOR = 1790;
    public static final int UUID = 2950;
    public static final int PG_LSN = 3220;
    public static final int JSONB = 3802;
    public static final int JSONPATH = 4072;
    public static final int XID8 = 5069;

    public static final int BOOL_ARRAY = 1000;
    public static final int BYTEA_ARRAY = 1001;
    public static final int CHAR_ARRAY = 1002;
    public static final int NAME_ARRAY = 1003;
    public static final int INT2_ARRAY = 1005;
    public static final int INT4_ARRAY = 1007;
    public static final int TEXT_ARRAY = 1009;
    public static final int TID_ARRAY = 1010;
    public static final int XID_ARRAY = 1011;
    public static final int CID_ARRAY = 1012;
    public static final int BPCHAR_ARRAY = 1014;
    public static final int VARCHAR_ARRAY = 1015;
    public static final int INT8_ARRAY = 1016;
    public static final int FLOAT4_ARRAY = 1021;
    public static final int FLOAT8_ARRAY = 1022;
    public static final int OID_ARRAY = 1028;
    public static final int JSON_ARRAY = 199;
    public static final int XML_ARRAY = 143;
    public static final int CIDR_ARRAY = 651;
    public static final int MACADDR8_ARRAY = 775;
    public static final int MONEY_ARRAY = 791;
    public static final int MACADDR_ARRAY = 1040;
    public static final int INET_ARRAY = 1041;
    public static final int DATE_ARRAY = 1182;
    public static final int TIME_ARRAY = 1183;
    public static final int TIMESTAMP_ARRAY = 1115;
    public static final int TIMESTAMPTZ_ARRAY = 1185;
    public static final int INTERVAL_ARRAY = 1187;
    public static final int TIMETZ_ARRAY = 1270;
    public static final int BIT_ARRAY = 1561;
    public static final int VARBIT_ARRAY = 1563;
    public static final int NUMERIC_ARRAY = 1231;
    public static final int REFCURSOR_ARRAY = 2201;
    public static final int UUID_ARRAY = 2951;
    public static final int PG_LSN_ARRAY = 3221;
    public static final int JSONB_ARRAY = 3807;
    public static final int JSONPATH_ARRAY = 4073;
    public static final int XID8_ARRAY = 271;

    private static final Map<Integer, TypeInfo> TYPES = new HashMap<>(256);
    private static final Map<String, TypeInfo> BY_NAME = new HashMap<>(256);
    private static final TypeResolver RESOLVER = BuiltinTypes::lookup;

    static {
        scalar(BOOL, "bool", BOOL_ARRAY);
        scalar(BYTEA, "bytea", BYTEA_ARRAY);
        scalar(CHAR, "char", CHAR_ARRAY);
        scalar(NAME, "name", NAME_ARRAY);
        scalar(INT8, "int8", INT8_ARRAY);
        scalar(INT2, "int2", INT2_ARRAY);
        scalar(22, "int2vector", 1006);
        scalar(INT4, "int4", INT4_ARRAY);
        scalar(24, "regproc", 1008);
        scalar(TEXT, "text", TEXT_ARRAY);
        scalar(OID, "oid", OID_ARRAY);
        scalar(TID, "tid", TID_ARRAY);
        scalar(XID, "xid", XID_ARRAY);
        scalar(CID, "cid", CID_ARRAY);
        scalar(30, "oidvector", 1013);
        scalar(JSON, "json", JSON_ARRAY);
        scalar(XML, "xml", XML_ARRAY);
        scalar(600, "point", 1017);
        scalar(601, "lseg", 1018);
        scalar(602, "path", 1019);
        // box is the one built-in type whose array delimiter is not ',': its text contains commas.
        add(new TypeInfo(603, "pg_catalog", "box", Kind.BASE, 0, 0, ';'));
        add(new TypeInfo(1020, "pg_catalog", "_box", Kind.ARRAY, 603, 0, ';'));
        scalar(604, "polygon", 1027);
        scalar(628, "line", 629);
        scalar(CIDR, "cidr", CIDR_ARRAY);
        scalar(FLOAT4, "float4", FLOAT4_ARRAY);
        scalar(FLOAT8, "float8", FLOAT8_ARRAY);
        scalar(718, "circle", 719);
        scalar(MACADDR8, "macaddr8", MACADDR8_ARRAY);
        scalar(MONEY, "money", MONEY_ARRAY);
        scalar(MACADDR, "macaddr", MACADDR_ARRAY);
        scalar(INET, "inet", INET_ARRAY);
        scalar(1033, "aclitem", 1034);
        scalar(BPCHAR, "bpchar", BPCHAR_ARRAY);
        scalar(VARCHAR, "varchar", VARCHAR_ARRAY);
        scalar(DATE, "date", DATE_ARRAY);
        scalar(TIME, "time", TIME_ARRAY);
        scalar(TIMESTAMP, "timestamp", TIMESTAMP_ARRAY);
        scalar(TIMESTAMPTZ, "timestamptz", TIMESTAMPTZ_ARRAY);
        scalar(INTERVAL, "interval", INTERVAL_ARRAY);
        scalar(TIMETZ, "timetz", TIMETZ_ARRAY);
        scalar(BIT, "bit", BIT_ARRAY);
        scalar(VARBIT, "varbit", VARBIT_ARRAY);
        scalar(NUMERIC, "numeric", NUMERIC_ARRAY);
        scalar(REFCURSOR, "refcursor", REFCURSOR_ARRAY);
        scalar(2202, "regprocedure", 2207);
        scalar(2203, "regoper", 2208);
        scalar(2204, "regoperator", 2209);
        scalar(2205, "regclass", 2210);
        scalar(2206, "regtype", 2211);
        scalar(UUID, "uuid", UUID_ARRAY);
        scalar(2970, "txid_snapshot", 2949);
        scalar(PG_LSN, "pg_lsn", PG_LSN_ARRAY);
        scalar(3614, "tsvector", 3643);
        scalar(3615, "tsquery", 3645);
        scalar(3734, "regconfig", 3735);
        scalar(3769, "regdictionary", 3770);
        scalar(JSONB, "jsonb", JSONB_ARRAY);
        scalar(JSONPATH, "jsonpath", JSONPATH_ARRAY);
        scalar(4089, "regnamespace", 4090);
        scalar(4096, "regrole", 4097);
        scalar(4191, "regcollation", 4192);
        scalar(5038, "pg_snapshot", 5039);
        scalar(XID8, "xid8", XID8_ARRAY);
        withArray(new TypeInfo(2249, "pg_catalog", "record", Kind.COMPOSITE, 0, 0, ','), 2287);
        range(3904, "int4range", 3905);
        range(3906, "numrange", 3907);
        range(3908, "tsrange", 3909);
        range(3910, "tstzrange", 3911);
        range(3912, "daterange", 3913);
        range(3926, "int8range", 3927);
        range(4451, "int4multirange", 6150);
        range(4532, "nummultirange", 6151);
        range(4533, "tsmultirange", 6152);
        range(4534, "tstzmultirange", 6153);
        range(4535, "datemultirange", 6155);
        range(4536, "int8multirange", 6157);
    }

    private BuiltinTypes() {}

    private static void scalar(int oid, String name, int arrayOid) {
        withArray(TypeInfo.base(oid, name), arrayOid);
    }

    private static void range(int oid, String name, int arrayOid) {
        withArray(new TypeInfo(oid, "pg_catalog", name, Kind.RANGE, 0, 0, ','), arrayOid);
    }

    private static void withArray(TypeInfo element, int arrayOid) {
        add(element);
        add(new TypeInfo(arrayOid, "pg_catalog", "_" + element.name(), Kind.ARRAY, element.oid(), 0, ','));
    }

    private static void add(TypeInfo t) {
        if (TYPES.put(t.oid(), t) != null) {
            throw new IllegalStateException("built-in type OID listed twice: " + t.oid());
        }
        BY_NAME.put(t.name(), t);
    }

    /** The built-in type with this OID, or null. */
    static TypeInfo lookup(int oid) {
        return TYPES.get(oid);
    }

    /**
     * The built-in type of this name as {@code pg_type.typname} spells it ({@code int4}, {@code varchar}, {@code
     * _int4} for its array), in any case; null for another name.
     */
    public static TypeInfo byName(String name) {
        return BY_NAME.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Resolves the built-in types only: for use when no catalog is at hand. Thread-safe. */
    public static TypeResolver builtin() {
        return RESOLVER;
    }
}
