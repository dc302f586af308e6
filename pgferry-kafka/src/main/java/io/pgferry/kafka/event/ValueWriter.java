package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.Special;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes one column value in the JSON form Kafka's JsonConverter gives its {@link ConnectType}, from PostgreSQL's
 * text output: integers and finite floats as JSON numbers, non-finite floats as the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"} (what JsonConverter's Jackson writes for them), bytes as base64, dates as days and
 * times as milli- or microseconds since the epoch or midnight, timestamptz as an ISO-8601 string in UTC, the rest
 * as strings. Stateless.
 */
final class ValueWriter {
    /** What Debezium writes for an unchanged TOAST value it was not sent (its default placeholder). */
    static final String UNAVAILABLE = "__debezium_unavailable_value";

    private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);
    /**
     * Timestamps of ±infinity as Debezium writes them: the PostgreSQL JDBC driver's infinity instants, in
     * milliseconds, whatever the precision.
     */
    static final long TIMESTAMP_POSITIVE_INFINITY = 9223372036825200000L;

    static final long TIMESTAMP_NEGATIVE_INFINITY = -9223372036832400000L;

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private ValueWriter() {}

    /** Writes the value of type {@code oid}, given as its text, as {@code type} says. */
    static void write(JsonGenerator g, ConnectType type, int oid, String text, TypeResolver types) throws IOException {
        switch (type.kind()) {
            case INT16, INT32, INT64 -> g.writeNumber(text);
            case FLOAT32, FLOAT64 -> {
                if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
                    g.writeString(text);
                } else {
                    g.writeNumber(text);
                }
            }
            case BOOLEAN -> g.writeBoolean(text.equals("t") || text.equals("true"));
            case BYTES -> g.writeBinary((byte[]) PgValues.fromText(oid, text, types));
            case DATE -> g.writeNumber(days(PgValues.fromText(oid, text, types)));
            case TIME_MILLIS -> g.writeNumber(microsOfDay(PgValues.fromText(oid, text, types)) / 1000);
            case TIME_MICROS -> g.writeNumber(microsOfDay(PgValues.fromText(oid, text, types)));
            case TIMESTAMP_MILLIS -> g.writeNumber(epoch(PgValues.fromText(oid, text, types), true));
            case TIMESTAMP_MICROS -> g.writeNumber(epoch(PgValues.fromText(oid, text, types), false));
            case ZONED_TIMESTAMP -> {
                String utc = utcText(text);
                g.writeString(utc != null ? utc : zoned(PgValues.fromText(oid, text, types)));
            }
            case ARRAY -> elements(
                    g,
                    type.element(),
                    type.elementOid(),
                    PgValues.arrayOfTexts(oid, text, types).elements(),
                    types);
            case DECIMAL_STRING, UUID, JSON, TEXT -> g.writeString(text);
        }
    }

    /**
     * Writes the placeholder of a value the server did not send (an unchanged TOAST value): Debezium's placeholder
     * for strings, its UTF-8 bytes for bytes, a one-element array of it for arrays of those; null for the rest, which
     * can hold no placeholder (only arrays of fixed-size elements, as fixed-size values are never TOASTed).
     */
    static void writeUnavailable(JsonGenerator g, ConnectType type) throws IOException {
        if (type.kind().isString()) {
            g.writeString(UNAVAILABLE);
        } else if (type.kind() == ConnectType.Kind.BYTES) {
            g.writeBinary(UNAVAILABLE_BYTES);
        } else if (type.kind() == ConnectType.Kind.ARRAY
                && (type.element().kind().isString() || type.element().kind() == ConnectType.Kind.BYTES)) {
            g.writeStartArray();
            writeUnavailable(g, type.element());
            g.writeEndArray();
        } else {
            g.writeNull();
        }
    }

    /** A multi-dimensional array is written as nested arrays, each level as PostgreSQL nests it. */
    private static void elements(JsonGenerator g, ConnectType element, int oid, List<?> elements, TypeResolver types)
            throws IOException {
        g.writeStartArray();
        for (Object e : elements) {
            if (e == null) {
                g.writeNull();
            } else if (e instanceof List<?> nested) {
                elements(g, element, oid, nested, types);
            } else {
                write(g, element, oid, (String) e, types);
            }
        }
        g.writeEndArray();
    }

    /** Days since 1970-01-01; ±infinity as the largest and smallest int32, which no date of PostgreSQL reaches. */
    static int days(Object v) {
        if (v == Special.POSITIVE_INFINITY) {
            return Integer.MAX_VALUE;
        }
        if (v == Special.NEGATIVE_INFINITY) {
            return Integer.MIN_VALUE;
        }
        return Math.toIntExact(((LocalDate) v).toEpochDay());
    }

    /** 24:00:00, which PostgreSQL allows and {@link PgValues} decodes as {@link LocalTime#MAX}, is a whole day. */
    static long microsOfDay(Object v) {
        LocalTime t = (LocalTime) v;
        return t.equals(LocalTime.MAX) ? MICROS_PER_DAY : t.toNanoOfDay() / 1000;
    }

    static long epoch(Object v, boolean millis) {
        if (v == Special.POSITIVE_INFINITY) {
            return TIMESTAMP_POSITIVE_INFINITY;
        }
        if (v == Special.NEGATIVE_INFINITY) {
            return TIMESTAMP_NEGATIVE_INFINITY;
        }
        LocalDateTime t = (LocalDateTime) v;
        long seconds = t.toEpochSecond(ZoneOffset.UTC);
        return millis ? seconds * 1000 + t.getNano() / 1_000_000 : seconds * 1_000_000 + t.getNano() / 1000;
    }

    /**
     * The ISO-8601 form of a timestamptz the server wrote in UTC ({@code 2026-01-01 12:00:00.25+00}, as it does when
     * the session's TimeZone is UTC), made from the text alone: the date, {@code T}, the time with the fraction as
     * the server wrote it (without trailing zeros, as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes it), and
     * {@code Z}. Null for any other form (another offset, a year past 9999, BC, infinity), which {@link #zoned}
     * handles: this is only the common case made cheap, and must agree with it wherever it answers.
     */
    static String utcText(String text) {
        int n = text.length();
        if (n < 22 || n > 29 || n == 23 || !text.endsWith("+00")) {
            return null;
        }
        for (int i = 0; i < n - 3; i++) {
            char c = text.charAt(i);
            boolean ok =
                    switch (i) {
                        case 4, 7 -> c == '-';
                        case 10 -> c == ' ';
                        case 13, 16 -> c == ':';
                        case 19 -> c == '.';
                        default -> c >= '0' && c <= '9';
                    };
            if (!ok) {
                return null;
            }
        }
        return text.substring(0, 10) + 'T' + text.substring(11, n - 3) + 'Z';
    }

    static String zoned(Object v) {
        if (v == Special.POSITIVE_INFINITY) {
            return "infinity";
        }
        if (v == Special.NEGATIVE_INFINITY) {
            return "-infinity";
        }
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                ((OffsetDateTime) v).withOffsetSameInstant(ZoneOffset.UTC));
    }
}
