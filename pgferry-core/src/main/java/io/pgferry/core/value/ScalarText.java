package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.BIT;
import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.BYTEA;
import static io.pgferry.core.value.BuiltinTypes.CIDR;
import static io.pgferry.core.value.BuiltinTypes.DATE;
import static io.pgferry.core.value.BuiltinTypes.FLOAT4;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INET;
import static io.pgferry.core.value.BuiltinTypes.INT2;
import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT8;
import static io.pgferry.core.value.BuiltinTypes.INTERVAL;
import static io.pgferry.core.value.BuiltinTypes.JSON;
import static io.pgferry.core.value.BuiltinTypes.JSONB;
import static io.pgferry.core.value.BuiltinTypes.MACADDR;
import static io.pgferry.core.value.BuiltinTypes.MACADDR8;
import static io.pgferry.core.value.BuiltinTypes.MONEY;
import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static io.pgferry.core.value.BuiltinTypes.OID;
import static io.pgferry.core.value.BuiltinTypes.TIME;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMP;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMPTZ;
import static io.pgferry.core.value.BuiltinTypes.TIMETZ;
import static io.pgferry.core.value.BuiltinTypes.UUID;
import static io.pgferry.core.value.BuiltinTypes.VARBIT;

import java.math.BigDecimal;

/** Decodes the text output of a built-in scalar type; types without a Java mapping keep their text. */
final class ScalarText {
    private static final long UINT32_MAX = 0xFFFFFFFFL;

    private ScalarText() {}

    static Object decode(int oid, String text) {
        return switch (oid) {
            case INT2 -> Short.valueOf(Short.parseShort(text));
            case INT4 -> Integer.valueOf(Integer.parseInt(text));
            case INT8 -> Long.valueOf(Long.parseLong(text));
            case OID -> Long.valueOf(oid(text));
            case NUMERIC -> numeric(text);
                // Java reads NaN, Infinity and -Infinity as PostgreSQL prints them, and every finite output exactly.
            case FLOAT4 -> Float.valueOf(Float.parseFloat(text));
            case FLOAT8 -> Double.valueOf(Double.parseDouble(text));
            case BOOL -> bool(text);
            case BYTEA -> ByteaText.parse(text);
            case DATE -> DateTimeText.parseDate(text);
            case TIME -> DateTimeText.parseTime(text);
            case TIMETZ -> DateTimeText.parseTimeTz(text);
            case TIMESTAMP -> DateTimeText.parseTimestamp(text);
            case TIMESTAMPTZ -> DateTimeText.parseTimestampTz(text);
            case INTERVAL -> IntervalText.parse(text);
            case UUID -> uuid(text);
            case JSON, JSONB -> new Json(text);
            case INET, CIDR -> InetText.parse(text);
            case MACADDR, MACADDR8 -> MacAddress.parse(text);
            case MONEY -> MoneyText.parse(text);
            case BIT, VARBIT -> new BitString(text);
            default -> text;
        };
    }

    private static long oid(String text) {
        long v = Long.parseLong(text);
        if (v < 0 || v > UINT32_MAX) {
            throw new BadValueException("oid outside 0..4294967295");
        }
        return v;
    }

    private static Object numeric(String text) {
        return switch (text) {
            case "NaN" -> Special.NAN;
            case "Infinity" -> Special.POSITIVE_INFINITY;
            case "-Infinity" -> Special.NEGATIVE_INFINITY;
            default -> new BigDecimal(text);
        };
    }

    private static Boolean bool(String text) {
        return switch (text) {
            case "t", "true" -> Boolean.TRUE;
            case "f", "false" -> Boolean.FALSE;
            default -> throw new BadValueException("bool text is neither t nor f");
        };
    }

    private static java.util.UUID uuid(String text) {
        if (text.length() != 36
                || text.charAt(8) != '-'
                || text.charAt(13) != '-'
                || text.charAt(18) != '-'
                || text.charAt(23) != '-') {
            throw new BadValueException("uuid not in the form 8-4-4-4-12 hex digits");
        }
        long hi = 0;
        long lo = 0;
        int n = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            long d = Hex.digit(text.charAt(i));
            if (n++ < 16) {
                hi = hi << 4 | d;
            } else {
                lo = lo << 4 | d;
            }
        }
        return new java.util.UUID(hi, lo);
    }
}
