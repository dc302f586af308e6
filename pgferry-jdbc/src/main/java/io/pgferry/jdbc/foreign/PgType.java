package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeInfo;

/**
 * A source column's type as a non-PostgreSQL dialect maps it: its family and the limits its type modifier declares.
 * Types outside the families (enums, domains, ranges, geometric, network and the rest) are {@link Kind#OTHER} and
 * keep PostgreSQL's text form.
 *
 * @param precision numeric precision, varchar/bpchar length, or timestamp precision; -1 when unconstrained
 * @param scale numeric scale (negative from PostgreSQL 15), else 0
 * @param elementOid the element type of an array, else 0
 */
record PgType(Kind kind, int precision, int scale, int elementOid) {
    /** The families a type mapping distinguishes. */
    enum Kind {
        BOOL,
        INT2,
        INT4,
        INT8,
        FLOAT4,
        FLOAT8,
        NUMERIC,
        TEXT,
        VARCHAR,
        BPCHAR,
        BYTEA,
        UUID,
        DATE,
        TIME,
        TIMETZ,
        TIMESTAMP,
        TIMESTAMPTZ,
        INTERVAL,
        JSON,
        ARRAY,
        OTHER
    }

    /** PostgreSQL's VARHDRSZ, which the type modifiers of numeric, varchar and bpchar include (see numeric.c). */
    private static final int VARHDRSZ = 4;

    static PgType of(Column c) {
        return of(c.typeOid(), c.typeModifier());
    }

    static PgType of(int oid, int typmod) {
        return switch (oid) {
            case BuiltinTypes.BOOL -> simple(Kind.BOOL);
            case BuiltinTypes.INT2 -> simple(Kind.INT2);
            case BuiltinTypes.INT4 -> simple(Kind.INT4);
            case BuiltinTypes.INT8, BuiltinTypes.OID -> simple(Kind.INT8);
            case BuiltinTypes.FLOAT4 -> simple(Kind.FLOAT4);
            case BuiltinTypes.FLOAT8 -> simple(Kind.FLOAT8);
            case BuiltinTypes.NUMERIC -> numeric(typmod);
            case BuiltinTypes.TEXT, BuiltinTypes.NAME, BuiltinTypes.XML, BuiltinTypes.CHAR -> simple(Kind.TEXT);
            case BuiltinTypes.VARCHAR -> new PgType(Kind.VARCHAR, typmod < VARHDRSZ ? -1 : typmod - VARHDRSZ, 0, 0);
            case BuiltinTypes.BPCHAR -> new PgType(Kind.BPCHAR, typmod < VARHDRSZ ? -1 : typmod - VARHDRSZ, 0, 0);
            case BuiltinTypes.BYTEA -> simple(Kind.BYTEA);
            case BuiltinTypes.UUID -> simple(Kind.UUID);
            case BuiltinTypes.DATE -> simple(Kind.DATE);
            case BuiltinTypes.TIME -> new PgType(Kind.TIME, typmod, 0, 0);
            case BuiltinTypes.TIMETZ -> simple(Kind.TIMETZ);
            case BuiltinTypes.TIMESTAMP -> new PgType(Kind.TIMESTAMP, typmod, 0, 0);
            case BuiltinTypes.TIMESTAMPTZ -> new PgType(Kind.TIMESTAMPTZ, typmod, 0, 0);
            case BuiltinTypes.INTERVAL -> simple(Kind.INTERVAL);
            case BuiltinTypes.JSON, BuiltinTypes.JSONB -> simple(Kind.JSON);
            default -> {
                TypeInfo t = BuiltinTypes.builtin().resolve(oid);
                yield t != null && t.kind() == TypeInfo.Kind.ARRAY
                        ? new PgType(Kind.ARRAY, -1, 0, t.elementOid())
                        : simple(Kind.OTHER);
            }
        };
    }

    private static PgType simple(Kind kind) {
        return new PgType(kind, -1, 0, 0);
    }

    /** numeric(p, s): typmod - VARHDRSZ holds p in the high 16 bits and s, as 11-bit two's complement, in the low. */
    private static PgType numeric(int typmod) {
        if (typmod < VARHDRSZ) {
            return simple(Kind.NUMERIC);
        }
        int t = typmod - VARHDRSZ;
        int scale = ((t & 0x7ff) ^ 1024) - 1024;
        return new PgType(Kind.NUMERIC, (t >> 16) & 0xffff, scale, 0);
    }

    /** A numeric with a declared precision and a scale between 0 and the precision. */
    boolean constrainedDecimal() {
        return kind == Kind.NUMERIC && precision > 0 && scale >= 0 && scale <= precision;
    }

    /** Whether values are compared and stored as character strings. */
    boolean textual() {
        return switch (kind) {
            case TEXT, VARCHAR, BPCHAR, OTHER, UUID, TIMETZ, INTERVAL, JSON, ARRAY -> true;
            case NUMERIC -> !constrainedDecimal();
            default -> false;
        };
    }
}
