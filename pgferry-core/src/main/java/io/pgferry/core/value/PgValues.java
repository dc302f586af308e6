package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.FLOAT4;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INT2;
import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT8;
import static io.pgferry.core.value.BuiltinTypes.JSON;
import static io.pgferry.core.value.BuiltinTypes.JSONB;
import static io.pgferry.core.value.BuiltinTypes.OID;

import java.util.Objects;

/**
 * Decodes PostgreSQL values, in the text form of the types' output functions or the binary form of their send
 * functions, into exact Java values, and renders binary values as text.
 *
 * <p>Java mapping (nothing loses precision):
 *
 * <table>
 *   <caption>PostgreSQL type to Java value</caption>
 *   <tr><th>PostgreSQL</th><th>Java</th></tr>
 *   <tr><td>int2, int4, int8</td><td>{@link Short}, {@link Integer}, {@link Long}</td></tr>
 *   <tr><td>oid</td><td>{@link Long} (unsigned 32-bit)</td></tr>
 *   <tr><td>numeric</td><td>{@link java.math.BigDecimal} whose scale is the display scale PostgreSQL prints
 *       ({@code 0.000} has scale 3); NaN, Infinity, -Infinity as {@link Special}</td></tr>
 *   <tr><td>float4, float8</td><td>{@link Float}, {@link Double} (NaN and infinities as Java's)</td></tr>
 *   <tr><td>bool</td><td>{@link Boolean}</td></tr>
 *   <tr><td>text, varchar, bpchar, name, "char", xml, enums, types without a mapping</td><td>{@link String}</td></tr>
 *   <tr><td>bytea</td><td>{@code byte[]} (text in hex or escape format)</td></tr>
 *   <tr><td>date</td><td>{@link java.time.LocalDate}; years BC as proleptic years (1 BC is year 0)</td></tr>
 *   <tr><td>time, timetz</td><td>{@link java.time.LocalTime}, {@link java.time.OffsetTime}; 24:00:00 is
 *       {@link java.time.LocalTime#MAX}, which no microsecond-precision value can be</td></tr>
 *   <tr><td>timestamp</td><td>{@link java.time.LocalDateTime}</td></tr>
 *   <tr><td>timestamptz</td><td>{@link java.time.OffsetDateTime}: with the session's offset from text, UTC from
 *       binary</td></tr>
 *   <tr><td>date, timestamp, timestamptz, interval infinity</td><td>{@link Special#POSITIVE_INFINITY},
 *       {@link Special#NEGATIVE_INFINITY}</td></tr>
 *   <tr><td>interval</td><td>{@link PgInterval}</td></tr>
 *   <tr><td>uuid</td><td>{@link java.util.UUID}</td></tr>
 *   <tr><td>json, jsonb</td><td>{@link Json} (the server's text, unparsed)</td></tr>
 *   <tr><td>arrays</td><td>{@link PgArray}, elements decoded by their type</td></tr>
 *   <tr><td>inet, cidr</td><td>{@link Inet}</td></tr>
 *   <tr><td>macaddr, macaddr8</td><td>{@link MacAddress}</td></tr>
 *   <tr><td>money</td><td>{@link Money}</td></tr>
 *   <tr><td>bit, varbit</td><td>{@link BitString}</td></tr>
 *   <tr><td>xid, xid8, cid, pg_lsn, tid, geometric, range, composite and other types</td><td>{@link String}: the
 *       text form</td></tr>
 * </table>
 *
 * <p>Domains decode as their base type. Types are looked up in {@link BuiltinTypes} first, then in the given
 * resolver; a type neither knows keeps its text form. Malformed input fails with an {@link IllegalArgumentException}
 * naming the type OID but never quoting the value, which must not reach logs.
 *
 * <p>Text renderings follow the output functions with DateStyle ISO, IntervalStyle postgres, extra_float_digits 1 or
 * more (shortest exact floats), bytea_output hex, and timestamptz in UTC ({@code +00}). Thread-safe: no state.
 */
public final class PgValues {
    /** Domains over domains are allowed; a longer chain than this is taken to be a cycle in a broken resolver. */
    private static final int MAX_DOMAIN_DEPTH = 32;

    private PgValues() {}

    /** Decodes PostgreSQL's text output of a value of type typeOid into an exact Java value. */
    public static Object fromText(int typeOid, String text, TypeResolver types) {
        Objects.requireNonNull(text, "text");
        TypeInfo t = resolve(typeOid, types);
        if (t == null) {
            return text;
        }
        try {
            return switch (t.kind()) {
                case BASE -> BuiltinTypes.lookup(t.oid()) != null ? ScalarText.decode(t.oid(), text) : text;
                case ARRAY -> ArrayText.parse(
                        text, t.elementOid(), delimiter(t, types), s -> fromText(t.elementOid(), s, types));
                default -> text;
            };
        } catch (RuntimeException e) {
            throw malformed("text", typeOid, e);
        }
    }

    /**
     * Decodes the binary (send/recv) form, as sent with pgoutput's binary option.
     *
     * @throws IllegalArgumentException for a type whose binary form is not known here (user base types,
     *     composites, ranges, geometric types...), naming its OID
     */
    public static Object fromBinary(int typeOid, byte[] buf, int offset, int length, TypeResolver types) {
        TypeInfo t = resolve(typeOid, types);
        // A slice outside the buffer is the caller's bug, not a malformed value: it throws IndexOutOfBounds.
        BinaryReader r = new BinaryReader(buf, offset, length);
        TypeInfo.Kind kind = t == null ? TypeInfo.Kind.OTHER : t.kind();
        boolean known = kind == TypeInfo.Kind.ENUM
                || kind == TypeInfo.Kind.ARRAY
                || kind == TypeInfo.Kind.BASE && ScalarBinary.supports(t.oid());
        if (!known) {
            throw new IllegalArgumentException("no binary decoding for type OID " + typeOid
                    + (t == null ? "" : " (" + t.schema() + "." + t.name() + ", " + kind + ")"));
        }
        try {
            return switch (kind) {
                    // enum_send sends the label's text.
                case ENUM -> r.readRemainingUtf8();
                case ARRAY -> ArrayBinary.decode(
                        r, t.elementOid(), (b, o, l) -> fromBinary(t.elementOid(), b, o, l, types));
                default -> ScalarBinary.decode(t.oid(), r);
            };
        } catch (RuntimeException e) {
            throw malformed("binary", typeOid, e);
        }
    }

    /**
     * Renders a binary value as PostgreSQL's text output would print it (DateStyle ISO, IntervalStyle postgres,
     * timestamptz in UTC with +00, extra_float_digits&gt;=1 shortest-exact floats, bytea hex \x...). money is the
     * exception: its text depends on the server's lc_monetary, so it is the plain amount ({@code 1234.56}).
     */
    public static String binaryToText(int typeOid, byte[] buf, int offset, int length, TypeResolver types) {
        Object v = fromBinary(typeOid, buf, offset, length, types);
        try {
            return render(typeOid, v, types);
        } catch (RuntimeException e) {
            throw malformed("binary", typeOid, e);
        }
    }

    /**
     * Parses the text form of an array (of type {@code arrayTypeOid}, or a domain over one) without decoding its
     * elements: each element is its exact text, null for NULL. For encoders that keep PostgreSQL's text per element.
     */
    public static PgArray arrayOfTexts(int arrayTypeOid, String text, TypeResolver types) {
        TypeInfo t = resolve(arrayTypeOid, types);
        if (t == null || t.kind() != TypeInfo.Kind.ARRAY) {
            throw new IllegalArgumentException("type OID " + arrayTypeOid + " is not an array type");
        }
        try {
            return ArrayText.parse(text, t.elementOid(), delimiter(t, types), s -> s);
        } catch (RuntimeException e) {
            throw malformed("text", arrayTypeOid, e);
        }
    }

    /**
     * Whether values of this type sent in binary format can be decoded and rendered exactly as PostgreSQL's text
     * output. False for types without a binary decoder here (geometric, ranges, composites, user base types) and for
     * money, whose text depends on the server's lc_monetary.
     */
    public static boolean hasExactBinaryForm(int typeOid, TypeResolver types) {
        TypeInfo t = resolve(typeOid, types);
        if (t == null) {
            return false;
        }
        return switch (t.kind()) {
            case ENUM -> true;
            case ARRAY -> hasExactBinaryForm(t.elementOid(), types);
            case BASE -> t.oid() != BuiltinTypes.MONEY && ScalarBinary.supports(t.oid());
            default -> false;
        };
    }

    /** How a value of this type is encoded in JSON output; domains follow their base type. */
    public static JsonKind jsonKind(int typeOid, TypeResolver types) {
        TypeInfo t = resolve(typeOid, types);
        if (t == null) {
            return JsonKind.STRING;
        }
        if (t.kind() == TypeInfo.Kind.ARRAY) {
            return JsonKind.ARRAY;
        }
        if (t.kind() != TypeInfo.Kind.BASE) {
            return JsonKind.STRING;
        }
        return switch (t.oid()) {
            case INT2, INT4, INT8, OID -> JsonKind.NUMBER;
            case FLOAT4, FLOAT8 -> JsonKind.FLOAT;
            case BOOL -> JsonKind.BOOLEAN;
            case JSON, JSONB -> JsonKind.JSON;
            default -> JsonKind.STRING;
        };
    }

    /**
     * PostgreSQL's text output of {@code value}, a Java value of type {@code typeOid} as {@link #fromText} returns it
     * (for an array, a {@link PgArray} of such values): the inverse of {@link #fromText}, for writers that receive
     * values rather than text.
     */
    public static String toText(int typeOid, Object value, TypeResolver types) {
        return render(typeOid, value, types);
    }

    /** The text of a value decoded from type typeOid (a Java value as {@link #fromBinary} returns it). */
    static String render(int typeOid, Object v, TypeResolver types) {
        TypeInfo t = resolve(typeOid, types);
        if (t != null && t.kind() == TypeInfo.Kind.ARRAY) {
            return ArrayText.render((PgArray) v, delimiter(t, types), e -> render(t.elementOid(), e, types));
        }
        if (t != null && t.kind() == TypeInfo.Kind.BASE && BuiltinTypes.lookup(t.oid()) != null) {
            return TextOutput.render(t.oid(), v);
        }
        return v.toString();
    }

    /** The type with domains replaced by their base types; null if unknown. */
    private static TypeInfo resolve(int oid, TypeResolver types) {
        TypeInfo t = lookup(oid, types);
        for (int depth = 0; t != null && t.kind() == TypeInfo.Kind.DOMAIN; depth++) {
            if (depth == MAX_DOMAIN_DEPTH) {
                throw new IllegalArgumentException(
                        "type OID " + oid + " is a chain of more than " + MAX_DOMAIN_DEPTH + " domains");
            }
            t = lookup(t.baseOid(), types);
        }
        return t;
    }

    private static TypeInfo lookup(int oid, TypeResolver types) {
        TypeInfo t = BuiltinTypes.lookup(oid);
        return t != null || types == null ? t : types.resolve(oid);
    }

    /**
     * The element delimiter of an array type. A built-in element type's own delimiter wins over what a resolver
     * recorded for the array, as pg_type keeps box's ';' on box, not on _box.
     */
    private static char delimiter(TypeInfo array, TypeResolver types) {
        TypeInfo element = resolve(array.elementOid(), types);
        if (element != null && BuiltinTypes.lookup(element.oid()) != null) {
            return element.delimiter();
        }
        return array.delimiter();
    }

    /**
     * Our own messages never quote the value; JDK parse exceptions do ("For input string: ..."), so of those only
     * the exception type is kept, and not the exception itself.
     */
    private static IllegalArgumentException malformed(String form, int typeOid, RuntimeException e) {
        String prefix = "malformed " + form + " value of type OID " + typeOid + ": ";
        if (e instanceof BadValueException) {
            return new BadValueException(prefix + e.getMessage(), e);
        }
        return new BadValueException(prefix + e.getClass().getName());
    }
}
