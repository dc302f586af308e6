package io.pgferry.connect.sink;

import io.pgferry.core.value.BitString;
import io.pgferry.core.value.PgInterval;
import io.pgferry.core.value.Special;
import io.pgferry.kafka.event.ConnectValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.connect.data.Struct;

/**
 * Connect values of Debezium's semantic types turned into the Java values {@link io.pgferry.core.value.PgValues}
 * holds for the PostgreSQL type, whose text output is then written. The infinities are decoded as pgferry's source
 * connector and Kafka destination encode them (the largest and smallest int32 for dates, Debezium's own constants for
 * timestamps, {@code infinity} for zoned timestamps). Pure.
 */
final class ValueDecoders {
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private ValueDecoders() {}

    static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        return (byte[]) v;
    }

    /** Debezium's {@code VariableScaleDecimal}: a struct of {@code scale} and the unscaled {@code value}'s bytes. */
    static BigDecimal variableScaleDecimal(Object v) {
        Struct s = (Struct) v;
        return new BigDecimal(new BigInteger(bytes(s.get("value"))), s.getInt32("scale"));
    }

    static Object logicalDate(Object v) {
        return LocalDate.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC);
    }

    static Object logicalTime(Object v) {
        return LocalTime.ofNanoOfDay(((java.util.Date) v).getTime() * 1_000_000L);
    }

    static Object logicalTimestamp(Object v) {
        return LocalDateTime.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC);
    }

    static Object days(Object v) {
        int d = ((Number) v).intValue();
        if (d == Integer.MAX_VALUE) {
            return Special.POSITIVE_INFINITY;
        }
        if (d == Integer.MIN_VALUE) {
            return Special.NEGATIVE_INFINITY;
        }
        return LocalDate.ofEpochDay(d);
    }

    /**
     * A time of day counted in units of {@code unitMicros} microseconds; a whole day is PostgreSQL's 24:00:00, which
     * {@link io.pgferry.core.value.PgValues} holds as {@link LocalTime#MAX}.
     */
    static Object timeOfDay(Object v, long unitMicros) {
        long micros = ((Number) v).longValue() * unitMicros;
        return micros >= MICROS_PER_DAY ? LocalTime.MAX : LocalTime.ofNanoOfDay(micros * 1000);
    }

    static Object nanoTimeOfDay(Object v) {
        long nanos = ((Number) v).longValue();
        return nanos >= MICROS_PER_DAY * 1000 ? LocalTime.MAX : LocalTime.ofNanoOfDay(nanos);
    }

    static Object timestamp(Object v, long unitMicros) {
        long n = ((Number) v).longValue();
        if (n == ConnectValues.TIMESTAMP_POSITIVE_INFINITY) {
            return Special.POSITIVE_INFINITY;
        }
        if (n == ConnectValues.TIMESTAMP_NEGATIVE_INFINITY) {
            return Special.NEGATIVE_INFINITY;
        }
        long micros = Math.multiplyExact(n, unitMicros);
        return LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
    }

    static Object nanoTimestamp(Object v) {
        long n = ((Number) v).longValue();
        return LocalDateTime.ofEpochSecond(
                Math.floorDiv(n, 1_000_000_000L), (int) Math.floorMod(n, 1_000_000_000L), ZoneOffset.UTC);
    }

    static Object zonedTimestamp(Object v) {
        String s = (String) v;
        if (s.equals("infinity")) {
            return Special.POSITIVE_INFINITY;
        }
        if (s.equals("-infinity")) {
            return Special.NEGATIVE_INFINITY;
        }
        return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    static Object zonedTime(Object v) {
        return OffsetTime.parse((String) v, DateTimeFormatter.ISO_OFFSET_TIME);
    }

    /** Debezium's approximate duration in microseconds, kept whole as microseconds: months and days are lost. */
    static Object microDuration(Object v) {
        return new PgInterval(0, 0, ((Number) v).longValue());
    }

    /**
     * Debezium's {@code Bits}: the bits of a bit or bit varying value of {@code length} bits in little-endian byte
     * order, bit 0 the last of the string. With no length known, every bit of the bytes.
     */
    static Object bits(Object v, int length) {
        byte[] b = bytes(v);
        int n = length >= 0 ? length : b.length * 8;
        StringBuilder s = new StringBuilder(n);
        for (int i = n - 1; i >= 0; i--) {
            int octet = i / 8;
            s.append(octet < b.length && (b[octet] & (1 << (i % 8))) != 0 ? '1' : '0');
        }
        return new BitString(s.toString());
    }
}
