package io.pgferry.kafka.event;

import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.TypeResolver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Column values as the Java objects Kafka Connect holds for each {@link ConnectType} (a {@code Struct}'s fields), for
 * writers that hand records to Connect rather than write their JSON themselves (the Kafka Connect source connector).
 * The same values the Kafka destination writes as JSON ({@link ValueWriter}), so that Connect's JsonConverter turns
 * these into the same bytes: {@code Short}, {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code
 * Boolean}, {@code byte[]}, {@code String}, and a {@code List} for an array. Stateless.
 */
public final class ConnectValues {
    /** What Debezium writes for an unchanged TOAST value it was not sent (its default placeholder). */
    public static final String UNAVAILABLE = ValueWriter.UNAVAILABLE;

    /** A timestamp of +infinity as Debezium writes it (the driver's infinity instant in milliseconds). */
    public static final long TIMESTAMP_POSITIVE_INFINITY = ValueWriter.TIMESTAMP_POSITIVE_INFINITY;

    /** A timestamp of -infinity as Debezium writes it. */
    public static final long TIMESTAMP_NEGATIVE_INFINITY = ValueWriter.TIMESTAMP_NEGATIVE_INFINITY;

    private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);

    private ConnectValues() {}

    /**
     * The value of type {@code oid}, given as PostgreSQL's text, as {@code type} holds it. A multi-dimensional array
     * is flattened, its elements in PostgreSQL's order: Connect's array schema has one level.
     *
     * @throws io.pgferry.core.value.BadValueException when the text is not a value of the type
     */
    public static Object of(ConnectType type, int oid, String text, TypeResolver types) {
        return switch (type.kind()) {
            case INT16 -> Short.valueOf(text);
            case INT32 -> Integer.valueOf(text);
            case INT64 -> Long.valueOf(text);
                // PostgreSQL writes NaN, Infinity and -Infinity as Java parses them.
            case FLOAT32 -> Float.valueOf(text);
            case FLOAT64 -> Double.valueOf(text);
            case BOOLEAN -> text.equals("t") || text.equals("true");
            case BYTES -> PgValues.fromText(oid, text, types);
            case DATE -> ValueWriter.days(PgValues.fromText(oid, text, types));
            case TIME_MILLIS -> (int) (ValueWriter.microsOfDay(PgValues.fromText(oid, text, types)) / 1000);
            case TIME_MICROS -> ValueWriter.microsOfDay(PgValues.fromText(oid, text, types));
            case TIMESTAMP_MILLIS -> ValueWriter.epoch(PgValues.fromText(oid, text, types), true);
            case TIMESTAMP_MICROS -> ValueWriter.epoch(PgValues.fromText(oid, text, types), false);
            case ZONED_TIMESTAMP -> {
                String utc = ValueWriter.utcText(text);
                yield utc != null ? utc : ValueWriter.zoned(PgValues.fromText(oid, text, types));
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                elements(
                        out,
                        type.element(),
                        type.elementOid(),
                        PgValues.arrayOfTexts(oid, text, types).elements(),
                        types);
                yield out;
            }
            case DECIMAL_STRING, UUID, JSON, TEXT -> text;
        };
    }

    /**
     * The placeholder of a value the server did not send (an unchanged TOAST value), as the Kafka destination writes
     * it: Debezium's placeholder for strings, its UTF-8 bytes for bytes, a one-element list of it for arrays of those;
     * null for the rest.
     */
    public static Object unavailable(ConnectType type) {
        if (type.kind().isString()) {
            return UNAVAILABLE;
        }
        if (type.kind() == ConnectType.Kind.BYTES) {
            return UNAVAILABLE.getBytes(StandardCharsets.UTF_8);
        }
        if (type.kind() == ConnectType.Kind.ARRAY
                && (type.element().kind().isString() || type.element().kind() == ConnectType.Kind.BYTES)) {
            return List.of(unavailable(type.element()));
        }
        return null;
    }

    /**
     * Whether a Connect value is the placeholder {@link #unavailable} writes: the string, its UTF-8 bytes (as an array
     * or a buffer, as converters hand bytes), or a one-element list of either.
     */
    public static boolean isUnavailable(Object v) {
        if (v instanceof String s) {
            return s.equals(UNAVAILABLE);
        }
        if (v instanceof byte[] b) {
            return Arrays.equals(b, UNAVAILABLE_BYTES);
        }
        if (v instanceof ByteBuffer b) {
            return b.remaining() == UNAVAILABLE_BYTES.length && b.equals(ByteBuffer.wrap(UNAVAILABLE_BYTES));
        }
        return v instanceof List<?> l && l.size() == 1 && l.get(0) != null && isUnavailable(l.get(0));
    }

    private static void elements(List<Object> out, ConnectType element, int oid, List<?> elements, TypeResolver types) {
        for (Object e : elements) {
            if (e == null) {
                out.add(null);
            } else if (e instanceof List<?> nested) {
                elements(out, element, oid, nested, types);
            } else {
                out.add(of(element, oid, (String) e, types));
            }
        }
    }
}
