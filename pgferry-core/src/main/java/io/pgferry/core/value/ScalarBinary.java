package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.BIT;
import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.BPCHAR;
import static io.pgferry.core.value.BuiltinTypes.BYTEA;
import static io.pgferry.core.value.BuiltinTypes.CHAR;
import static io.pgferry.core.value.BuiltinTypes.CID;
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
import static io.pgferry.core.value.BuiltinTypes.JSONPATH;
import static io.pgferry.core.value.BuiltinTypes.MACADDR;
import static io.pgferry.core.value.BuiltinTypes.MACADDR8;
import static io.pgferry.core.value.BuiltinTypes.MONEY;
import static io.pgferry.core.value.BuiltinTypes.NAME;
import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static io.pgferry.core.value.BuiltinTypes.OID;
import static io.pgferry.core.value.BuiltinTypes.PG_LSN;
import static io.pgferry.core.value.BuiltinTypes.REFCURSOR;
import static io.pgferry.core.value.BuiltinTypes.TEXT;
import static io.pgferry.core.value.BuiltinTypes.TID;
import static io.pgferry.core.value.BuiltinTypes.TIME;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMP;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMPTZ;
import static io.pgferry.core.value.BuiltinTypes.TIMETZ;
import static io.pgferry.core.value.BuiltinTypes.UUID;
import static io.pgferry.core.value.BuiltinTypes.VARBIT;
import static io.pgferry.core.value.BuiltinTypes.VARCHAR;
import static io.pgferry.core.value.BuiltinTypes.XID;
import static io.pgferry.core.value.BuiltinTypes.XID8;
import static io.pgferry.core.value.BuiltinTypes.XML;

import io.pgferry.core.Lsn;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Decodes the binary (send/recv) form of a built-in scalar type (each type's {@code *send} function in
 * src/backend/utils/adt). Dates count days and timestamps microseconds from 2000-01-01 (PostgreSQL's epoch), with
 * the extreme int values meaning -infinity and infinity; time zones in timetz are seconds west of UTC.
 */
final class ScalarBinary {
    /** 2000-01-01 as days since 1970-01-01. */
    private static final long PG_EPOCH_DAY = 10_957;

    private static final long USECS_PER_DAY = 86_400_000_000L;

    private ScalarBinary() {}

    /** Whether {@link #decode} knows the type's binary form. */
    static boolean supports(int oid) {
        return switch (oid) {
            case INT2,
                    INT4,
                    INT8,
                    OID,
                    FLOAT4,
                    FLOAT8,
                    BOOL,
                    TEXT,
                    VARCHAR,
                    BPCHAR,
                    NAME,
                    XML,
                    REFCURSOR,
                    CHAR,
                    BYTEA,
                    NUMERIC,
                    DATE,
                    TIME,
                    TIMETZ,
                    TIMESTAMP,
                    TIMESTAMPTZ,
                    INTERVAL,
                    UUID,
                    JSON,
                    JSONB,
                    JSONPATH,
                    INET,
                    CIDR,
                    MACADDR,
                    MACADDR8,
                    MONEY,
                    BIT,
                    VARBIT,
                    XID,
                    CID,
                    XID8,
                    PG_LSN,
                    TID -> true;
            default -> false;
        };
    }

    static Object decode(int oid, BinaryReader r) {
        Object v =
                switch (oid) {
                    case INT2 -> Short.valueOf(r.readShort());
                    case INT4 -> Integer.valueOf(r.readInt());
                    case INT8 -> Long.valueOf(r.readLong());
                    case OID -> Long.valueOf(r.readInt() & 0xFFFFFFFFL);
                    case FLOAT4 -> Float.valueOf(Float.intBitsToFloat(r.readInt()));
                    case FLOAT8 -> Double.valueOf(Double.longBitsToDouble(r.readLong()));
                    case BOOL -> Boolean.valueOf(r.readUnsignedByte() != 0);
                    case TEXT, VARCHAR, BPCHAR, NAME, XML, REFCURSOR -> r.readRemainingUtf8();
                    case CHAR -> internalChar(r);
                    case BYTEA -> r.readBytes(r.remaining());
                    case NUMERIC -> NumericBinary.decode(r);
                    case DATE -> date(r.readInt());
                    case TIME -> time(r.readLong());
                    case TIMETZ -> timetz(r);
                    case TIMESTAMP -> timestamp(r.readLong());
                    case TIMESTAMPTZ -> timestamptz(r.readLong());
                    case INTERVAL -> interval(r);
                    case UUID -> new java.util.UUID(r.readLong(), r.readLong());
                    case JSON -> new Json(r.readRemainingUtf8());
                    case JSONB -> new Json(versioned(r));
                    case JSONPATH -> versioned(r);
                    case INET, CIDR -> inet(r);
                    case MACADDR, MACADDR8 -> new MacAddress(r.readBytes(r.remaining()));
                    case MONEY -> money(r.readLong());
                    case BIT, VARBIT -> bits(r);
                    case XID, CID -> Long.toString(r.readInt() & 0xFFFFFFFFL);
                    case XID8 -> Long.toUnsignedString(r.readLong());
                    case PG_LSN -> new Lsn(r.readLong()).toString();
                    case TID -> "(" + (r.readInt() & 0xFFFFFFFFL) + "," + r.readUnsignedShort() + ")";
                    default -> throw new BadValueException("no binary decoding for type OID " + oid);
                };
        r.expectEnd();
        return v;
    }

    /** "char" sends its one byte; its output writes a high-bit byte as a backslash and three octal digits. */
    private static String internalChar(BinaryReader r) {
        if (r.remaining() == 0) {
            return "";
        }
        int b = r.readUnsignedByte();
        if (b == 0) {
            return "";
        }
        if (b >= 0x80) {
            return "\\" + (char) ('0' + (b >> 6)) + (char) ('0' + (b >> 3 & 7)) + (char) ('0' + (b & 7));
        }
        return String.valueOf((char) b);
    }

    /** jsonb and jsonpath send a format version byte (1) before their text. */
    private static String versioned(BinaryReader r) {
        int version = r.readUnsignedByte();
        if (version != 1) {
            throw new BadValueException("unsupported binary format version " + version);
        }
        return r.readRemainingUtf8();
    }

    static Object date(int days) {
        if (days == Integer.MAX_VALUE) {
            return Special.POSITIVE_INFINITY;
        }
        if (days == Integer.MIN_VALUE) {
            return Special.NEGATIVE_INFINITY;
        }
        return LocalDate.ofEpochDay(PG_EPOCH_DAY + days);
    }

    static LocalTime time(long micros) {
        if (micros == USECS_PER_DAY) {
            return LocalTime.MAX;
        }
        if (micros < 0 || micros > USECS_PER_DAY) {
            throw new BadValueException("time of day outside 00:00:00..24:00:00");
        }
        return LocalTime.ofNanoOfDay(micros * 1000);
    }

    private static OffsetTime timetz(BinaryReader r) {
        LocalTime t = time(r.readLong());
        int secondsWest = r.readInt();
        return OffsetTime.of(t, ZoneOffset.ofTotalSeconds(-secondsWest));
    }

    static Object timestamp(long micros) {
        if (micros == Long.MAX_VALUE) {
            return Special.POSITIVE_INFINITY;
        }
        if (micros == Long.MIN_VALUE) {
            return Special.NEGATIVE_INFINITY;
        }
        long days = Math.floorDiv(micros, USECS_PER_DAY);
        long inDay = Math.floorMod(micros, USECS_PER_DAY);
        return LocalDateTime.of(LocalDate.ofEpochDay(PG_EPOCH_DAY + days), LocalTime.ofNanoOfDay(inDay * 1000));
    }

    private static Object timestamptz(long micros) {
        Object v = timestamp(micros);
        return v instanceof LocalDateTime t ? OffsetDateTime.of(t, ZoneOffset.UTC) : v;
    }

    /** interval_send: int64 microseconds, int32 days, int32 months; all three at their extreme is ±infinity (17+). */
    private static Object interval(BinaryReader r) {
        long micros = r.readLong();
        int days = r.readInt();
        int months = r.readInt();
        if (micros == Long.MAX_VALUE && days == Integer.MAX_VALUE && months == Integer.MAX_VALUE) {
            return Special.POSITIVE_INFINITY;
        }
        if (micros == Long.MIN_VALUE && days == Integer.MIN_VALUE && months == Integer.MIN_VALUE) {
            return Special.NEGATIVE_INFINITY;
        }
        return new PgInterval(months, days, micros);
    }

    /** inet_send: family (2 IPv4, 3 IPv6), netmask bits, is_cidr flag, address length, address bytes. */
    private static Inet inet(BinaryReader r) {
        int family = r.readUnsignedByte();
        int bits = r.readUnsignedByte();
        r.readUnsignedByte();
        int length = r.readUnsignedByte();
        if (!(family == 2 && length == 4) && !(family == 3 && length == 16)) {
            throw new BadValueException("inet of family " + family + " with " + length + " address bytes");
        }
        return new Inet(InetText.address(r.readBytes(length)), bits);
    }

    /** cash_send: int64 in the currency's minor units, assumed to be hundredths (see {@link Money}). */
    private static Money money(long minorUnits) {
        BigDecimal amount = BigDecimal.valueOf(minorUnits, 2);
        return new Money(amount.toPlainString(), amount);
    }

    /** bit_send: int32 bit count, then the bits packed most significant first, padded with zeros to a byte. */
    private static BitString bits(BinaryReader r) {
        int n = r.readInt();
        if (n < 0 || (n + 7L) / 8 != r.remaining()) {
            throw new BadValueException("bit string of " + n + " bits in " + r.remaining() + " bytes");
        }
        byte[] packed = r.readBytes(r.remaining());
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = (packed[i >> 3] & (0x80 >> (i & 7))) != 0 ? '1' : '0';
        }
        return new BitString(new String(out));
    }
}
