package io.pgferry.jdbc.foreign;

import io.pgferry.core.event.Column;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.Special;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.UnrepresentableValueException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Turns PostgreSQL's text form of a value into what a non-PostgreSQL destination stores, by the column's {@link
 * PgType}, under an {@link Unrepresentable} policy. Exact by construction: integers and constrained numerics stay
 * exact numbers, unconstrained numerics keep their text, booleans are converted only for bool columns (text 't' stays
 * text), timestamptz is converted to UTC, bytea to bytes, arrays to JSON. What the destination cannot hold follows
 * the policy; the error never quotes the value.
 *
 * <p>Stateless apart from its configuration; thread-safe.
 */
class ValueConverter {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT);
    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

    /** The range of dates and timestamps a destination holds, and whether its floats hold NaN and infinities. */
    record Limits(LocalDateTime minDateTime, LocalDateTime maxDateTime, boolean floatNaN, boolean floatInfinity) {}

    private final Unrepresentable policy;
    private final Limits limits;

    ValueConverter(Unrepresentable policy, Limits limits) {
        this.policy = policy;
        this.limits = limits;
    }

    Unrepresentable policy() {
        return policy;
    }

    /** The value to bind for {@code text} (not null) of {@code column}, whose mapped type is {@code type}. */
    Object convert(Column column, PgType type, String text) {
        return switch (type.kind()) {
            case BOOL -> bool(text);
            case INT2, INT4, INT8 -> Long.parseLong(text);
            case FLOAT4, FLOAT8 -> floating(column, text);
            case NUMERIC -> storesDecimal(type) ? decimal(column, type, text) : text;
            case BYTEA -> bytes(text);
            case DATE -> date(column, text);
            case TIME -> time(column, text);
            case TIMESTAMP -> timestamp(column, text, false);
            case TIMESTAMPTZ -> timestamp(column, text, true);
            case ARRAY -> JsonArrays.fromPgArray(column.typeOid(), text);
            default -> text;
        };
    }

    /** Whether the destination stores this numeric as an exact DECIMAL (else as its text, which holds NaN too). */
    boolean storesDecimal(PgType type) {
        return MySqlTypes.decimal(type);
    }

    /** A bool column's value; only 't' and 'f' come from boolout. */
    Object bool(String text) {
        return "t".equals(text);
    }

    Object floating(Column column, String text) {
        double d = Double.parseDouble(text);
        if (Double.isNaN(d) && !limits.floatNaN()) {
            return unrepresentable(column, "NaN has no counterpart in this destination's floating-point type", null);
        }
        if (Double.isInfinite(d) && !limits.floatInfinity()) {
            return unrepresentable(
                    column,
                    "an infinite float has no counterpart in this destination's floating-point type",
                    d > 0 ? Double.MAX_VALUE : -Double.MAX_VALUE);
        }
        return d;
    }

    /** numeric(p, s) into DECIMAL(p, s): PostgreSQL already holds the value to that precision and scale. */
    Object decimal(Column column, PgType type, String text) {
        if (text.equals("NaN") || text.endsWith("Infinity")) {
            BigDecimal max = BigDecimal.TEN
                    .pow(type.precision() - type.scale())
                    .subtract(BigDecimal.ONE.movePointLeft(type.scale()));
            BigDecimal clamp = text.equals("NaN") ? null : text.startsWith("-") ? max.negate() : max;
            return unrepresentable(
                    column,
                    "numeric " + (text.equals("NaN") ? "NaN" : "infinity") + " cannot be stored in DECIMAL("
                            + type.precision() + "," + type.scale() + ")",
                    clamp);
        }
        return new BigDecimal(text);
    }

    /** A time without time zone: its text, which the destination's TIME reads (PostgreSQL's 24:00:00 included). */
    Object time(Column column, String text) {
        return text;
    }

    /** bytea_output hex ({@code \x...}) or escape format. */
    static byte[] bytes(String text) {
        Object v = PgValues.fromText(BuiltinTypes.BYTEA, text, null);
        return (byte[]) v;
    }

    Object date(Column column, String text) {
        Object v = PgValues.fromText(BuiltinTypes.DATE, text, null);
        LocalDate min = limits.minDateTime().toLocalDate();
        LocalDate max = limits.maxDateTime().toLocalDate();
        if (v instanceof Special s) {
            return unrepresentable(
                    column,
                    "date " + infinity(s) + " is outside this destination's range",
                    (s == Special.POSITIVE_INFINITY ? max : min).format(DATE));
        }
        LocalDate d = (LocalDate) v;
        if (d.isBefore(min) || d.isAfter(max)) {
            return unrepresentable(
                    column,
                    "a date outside " + min + ".." + max + " cannot be stored here",
                    (d.isBefore(min) ? min : max).format(DATE));
        }
        return formatDate(d);
    }

    Object timestamp(Column column, String text, boolean zoned) {
        String plain = plainTimestamp(text, zoned);
        if (plain != null) {
            return formatTimestamp(plain, zoned);
        }
        Object v = PgValues.fromText(zoned ? BuiltinTypes.TIMESTAMPTZ : BuiltinTypes.TIMESTAMP, text, null);
        if (v instanceof Special s) {
            LocalDateTime clamp = s == Special.POSITIVE_INFINITY ? limits.maxDateTime() : limits.minDateTime();
            return unrepresentable(
                    column,
                    "timestamp " + infinity(s) + " is outside this destination's range",
                    formatTimestamp(clamp, zoned));
        }
        LocalDateTime t = zoned
                ? ((OffsetDateTime) v).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()
                : (LocalDateTime) v;
        if (t.isBefore(limits.minDateTime()) || t.isAfter(limits.maxDateTime())) {
            LocalDateTime clamp = t.isBefore(limits.minDateTime()) ? limits.minDateTime() : limits.maxDateTime();
            return unrepresentable(
                    column,
                    "a timestamp outside " + limits.minDateTime().toLocalDate() + ".."
                            + limits.maxDateTime().toLocalDate() + " cannot be stored here",
                    formatTimestamp(clamp, zoned));
        }
        return formatTimestamp(t, zoned);
    }

    /** How a date is bound: ISO text. */
    Object formatDate(LocalDate d) {
        return d.format(DATE);
    }

    /** How a timestamp (in UTC when {@code zoned}) is bound: ISO text with microseconds. */
    final Object formatTimestamp(LocalDateTime t, boolean zoned) {
        return formatTimestamp(t.format(DATETIME), zoned);
    }

    /**
     * How a timestamp is bound, given as {@code YYYY-MM-DD HH:MM:SS.ffffff} (in UTC when {@code zoned}): that text by
     * default.
     */
    Object formatTimestamp(String text, boolean zoned) {
        return text;
    }

    /**
     * The fast path of the common case, without parsing: a timestamp as PostgreSQL prints it with DateStyle ISO, a
     * four-digit year of the common era, at most six fractional digits and, when {@code zoned}, the offset {@code
     * +00} (the copy's and the stream's sessions run in UTC). Returns it as {@code YYYY-MM-DD HH:MM:SS.ffffff}, or
     * null for anything else (another offset, BC, infinity, a year past 9999), which takes the parsing path.
     */
    static String plainTimestamp(String text, boolean zoned) {
        int end = text.length() - (zoned ? 3 : 0);
        if (end < 19 || (zoned && !text.startsWith("+00", end)) || text.charAt(10) != ' ' || text.charAt(4) != '-') {
            return null;
        }
        for (int i : new int[] {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        if (text.charAt(7) != '-' || text.charAt(13) != ':' || text.charAt(16) != ':' || text.startsWith("0000")) {
            return null;
        }
        StringBuilder s = new StringBuilder(26).append(text, 0, 19).append('.');
        int digits = 0;
        if (end > 19) {
            if (text.charAt(19) != '.' || end - 20 > 6 || end == 20) {
                return null;
            }
            for (int i = 20; i < end; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                s.append(c);
                digits++;
            }
        }
        for (; digits < 6; digits++) {
            s.append('0');
        }
        return s.toString();
    }

    /**
     * Applies the policy to a value the destination cannot hold: throws for ERROR, returns null for NULL, and
     * {@code clamped} (which may be null: NaN has no nearest value) for CLAMP.
     */
    Object unrepresentable(Column column, String problem, Object clamped) {
        return switch (policy) {
            case ERROR -> throw new UnrepresentableValueException(column, problem);
            case NULL -> {
                if (column.key()) {
                    throw new UnrepresentableValueException(column, problem + " (a key column cannot be NULL)");
                }
                yield null;
            }
            case CLAMP -> {
                if (clamped == null && column.key()) {
                    throw new UnrepresentableValueException(column, problem + " (a key column cannot be NULL)");
                }
                yield clamped;
            }
        };
    }

    private static String infinity(Special s) {
        return s == Special.POSITIVE_INFINITY ? "infinity" : "-infinity";
    }

    /** Lower-case hex, as UNHEX() and X'' literals read it. */
    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
