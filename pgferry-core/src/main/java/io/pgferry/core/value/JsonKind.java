package io.pgferry.core.value;

/** How a value of a type is written in JSON output; see {@link PgValues#jsonKind(int, TypeResolver)}. */
public enum JsonKind {
    /** An exact integer: written as a JSON number (int2, int4, int8, oid). */
    NUMBER,
    /** float4 / float8: a JSON number when finite, else the strings "NaN", "Infinity", "-Infinity". */
    FLOAT,
    /** bool: JSON true / false. */
    BOOLEAN,
    /** json / jsonb: the server's text embedded as raw JSON. */
    JSON,
    /** An array: a (nested) JSON array whose elements follow the element type's kind. */
    ARRAY,
    /** Anything else, numeric included (JSON numbers are doubles to most readers): PostgreSQL's exact text output. */
    STRING
}
