package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.BYTEA;
import static io.pgferry.core.value.BuiltinTypes.CIDR;
import static io.pgferry.core.value.BuiltinTypes.DATE;
import static io.pgferry.core.value.BuiltinTypes.FLOAT4;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INET;
import static io.pgferry.core.value.BuiltinTypes.INTERVAL;
import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static io.pgferry.core.value.BuiltinTypes.TIME;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMP;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMPTZ;
import static io.pgferry.core.value.BuiltinTypes.TIMETZ;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;

/**
 * Renders a decoded built-in scalar value as the type's output function prints it. Types whose Java value's
 * {@code toString} is already that text (integers, strings, UUID, Json, MacAddress, Money, BitString) need no case.
 */
final class TextOutput {
    private TextOutput() {}

    static String render(int oid, Object v) {
        return switch (oid) {
            case FLOAT4 -> FloatText.format(((Float) v).floatValue());
            case FLOAT8 -> FloatText.format(((Double) v).doubleValue());
            case BOOL -> ((Boolean) v) ? "t" : "f";
            case BYTEA -> ByteaText.format((byte[]) v);
            case NUMERIC -> v instanceof Special s ? numericSpecial(s) : ((BigDecimal) v).toPlainString();
            case DATE -> v instanceof Special s
                    ? DateTimeText.formatInfinity(s)
                    : DateTimeText.formatDate((LocalDate) v);
            case TIME -> DateTimeText.formatTime((LocalTime) v);
            case TIMETZ -> DateTimeText.formatTimeTz((OffsetTime) v);
            case TIMESTAMP -> v instanceof Special s
                    ? DateTimeText.formatInfinity(s)
                    : DateTimeText.formatTimestamp((LocalDateTime) v);
            case TIMESTAMPTZ -> v instanceof Special s
                    ? DateTimeText.formatInfinity(s)
                    : DateTimeText.formatTimestampTz((OffsetDateTime) v);
            case INTERVAL -> v instanceof Special s ? DateTimeText.formatInfinity(s) : v.toString();
            case INET -> InetText.format((Inet) v, false);
            case CIDR -> InetText.format((Inet) v, true);
            default -> v.toString();
        };
    }

    private static String numericSpecial(Special s) {
        return switch (s) {
            case NAN -> "NaN";
            case POSITIVE_INFINITY -> "Infinity";
            case NEGATIVE_INFINITY -> "-Infinity";
        };
    }
}
