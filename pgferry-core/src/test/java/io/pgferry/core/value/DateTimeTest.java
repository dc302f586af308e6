package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.DATE;
import static io.pgferry.core.value.BuiltinTypes.TIME;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMP;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMPTZ;
import static io.pgferry.core.value.BuiltinTypes.TIMETZ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DateTimeTest {
    private static final TypeResolver TYPES = BuiltinTypes.builtin();
    /** PostgreSQL's timestamp range: 4714-11-24 00:00:00 BC to 294276-12-31 23:59:59.999999, in µs from 2000. */
    private static final long MIN_TIMESTAMP = -211813488000000000L;

    private static final long MAX_TIMESTAMP = 9223371331200000000L - 1;

    private static Object text(int oid, String s) {
        return PgValues.fromText(oid, s, TYPES);
    }

    private static Object binary(int oid, byte[] b) {
        return PgValues.fromBinary(oid, b, 0, b.length, TYPES);
    }

    private static String render(int oid, byte[] b) {
        return PgValues.binaryToText(oid, b, 0, b.length, TYPES);
    }

    @Test
    void datesBeforeChristAndFarFuture() {
        assertThat(text(DATE, "0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(text(DATE, "0001-12-31 BC")).isEqualTo(LocalDate.of(0, 12, 31));
        assertThat(text(DATE, "294276-12-31")).isEqualTo(LocalDate.of(294276, 12, 31));
        assertThat(text(DATE, "5874897-12-31")).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(render(DATE, Bin.date(LocalDate.of(-43, 3, 15)))).isEqualTo("0044-03-15 BC");
        assertThat(render(DATE, Bin.date(LocalDate.of(294276, 12, 31)))).isEqualTo("294276-12-31");
        assertThat(render(DATE, Bin.date(LocalDate.of(1, 1, 1)))).isEqualTo("0001-01-01");
    }

    @Test
    void infinities() {
        assertThat(text(DATE, "infinity")).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(text(TIMESTAMP, "-infinity")).isEqualTo(Special.NEGATIVE_INFINITY);
        assertThat(text(TIMESTAMPTZ, "infinity")).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(binary(DATE, Bin.int4(Integer.MAX_VALUE))).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(binary(DATE, Bin.int4(Integer.MIN_VALUE))).isEqualTo(Special.NEGATIVE_INFINITY);
        assertThat(binary(TIMESTAMPTZ, Bin.int8(Long.MIN_VALUE))).isEqualTo(Special.NEGATIVE_INFINITY);
        assertThat(render(TIMESTAMP, Bin.int8(Long.MAX_VALUE))).isEqualTo("infinity");
        assertThat(render(DATE, Bin.int4(Integer.MIN_VALUE))).isEqualTo("-infinity");
    }

    @Test
    void timestampsWithMicroseconds() {
        LocalDateTime t = LocalDateTime.of(2024, 1, 15, 10, 20, 30, 123_456_000);
        assertThat(text(TIMESTAMP, "2024-01-15 10:20:30.123456")).isEqualTo(t);
        assertThat(render(TIMESTAMP, Bin.timestamp(t))).isEqualTo("2024-01-15 10:20:30.123456");
        assertThat(render(TIMESTAMP, Bin.timestamp(t.withNano(100_000_000)))).isEqualTo("2024-01-15 10:20:30.1");
        assertThat(render(TIMESTAMP, Bin.timestamp(t.withNano(0)))).isEqualTo("2024-01-15 10:20:30");
        assertThat(render(TIMESTAMP, Bin.int8(-1))).isEqualTo("1999-12-31 23:59:59.999999");
        assertThat(text(TIMESTAMP, "0044-03-15 10:00:00.5 BC"))
                .isEqualTo(LocalDateTime.of(-43, 3, 15, 10, 0, 0, 500_000_000));
        assertThat(render(TIMESTAMP, Bin.int8(MAX_TIMESTAMP))).isEqualTo("294276-12-31 23:59:59.999999");
        assertThat(render(TIMESTAMP, Bin.int8(MIN_TIMESTAMP))).isEqualTo("4714-11-24 00:00:00 BC");
    }

    @Test
    void timestamptzKeepsTheTextOffsetAndIsUtcFromBinary() {
        assertThat(text(TIMESTAMPTZ, "2024-01-01 15:30:00.123+05:30"))
                .isEqualTo(OffsetDateTime.of(2024, 1, 1, 15, 30, 0, 123_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(text(TIMESTAMPTZ, "1899-12-31 20:53:32-03:06:28"))
                .isEqualTo(
                        OffsetDateTime.of(1899, 12, 31, 20, 53, 32, 0, ZoneOffset.ofHoursMinutesSeconds(-3, -6, -28)));
        assertThat(text(TIMESTAMPTZ, "0044-03-15 15:53:28+05:53:28 BC"))
                .isEqualTo(OffsetDateTime.of(-43, 3, 15, 15, 53, 28, 0, ZoneOffset.ofHoursMinutesSeconds(5, 53, 28)));
        LocalDateTime t = LocalDateTime.of(2024, 1, 1, 10, 0, 0, 1000);
        assertThat(binary(TIMESTAMPTZ, Bin.timestamp(t))).isEqualTo(OffsetDateTime.of(t, ZoneOffset.UTC));
        assertThat(render(TIMESTAMPTZ, Bin.timestamp(t))).isEqualTo("2024-01-01 10:00:00.000001+00");
    }

    @Test
    void timesAndTimezones() {
        assertThat(text(TIME, "24:00:00")).isEqualTo(LocalTime.MAX);
        assertThat(text(TIME, "23:59:59.999999")).isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
        assertThat(render(TIME, Bin.int8(86_400_000_000L))).isEqualTo("24:00:00");
        assertThat(text(TIMETZ, "10:00:00+05:30"))
                .isEqualTo(OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(text(TIMETZ, "10:00:00.123-03:00:07"))
                .isEqualTo(OffsetTime.of(10, 0, 0, 123_000_000, ZoneOffset.ofHoursMinutesSeconds(-3, 0, -7)));
        assertThat(text(TIMETZ, "12:00:00-03:00:00")).isEqualTo(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHours(-3)));
        byte[] b =
                ByteBuffer.allocate(12).putLong(36_000_000_000L).putInt(-19800).array();
        assertThat(binary(TIMETZ, b)).isEqualTo(OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(render(TIMETZ, b)).isEqualTo("10:00:00+05:30");
        byte[] west = ByteBuffer.allocate(12).putLong(0).putInt(3 * 3600).array();
        assertThat(render(TIMETZ, west)).isEqualTo("00:00:00-03");
        byte[] seconds = ByteBuffer.allocate(12).putLong(1).putInt(3 * 3600 + 7).array();
        assertThat(render(TIMETZ, seconds)).isEqualTo("00:00:00.000001-03:00:07");
    }

    @Test
    void malformedTextFails() {
        assertThatThrownBy(() -> text(DATE, "2024-13-01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> text(TIMESTAMP, "2024-01-01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> text(TIMETZ, "10:00:00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> binary(TIME, Bin.int8(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void timestampBinaryRendersTextThatDecodesBack(
            @ForAll @LongRange(min = MIN_TIMESTAMP, max = MAX_TIMESTAMP) long micros) {
        byte[] b = Bin.int8(micros);
        Object fromBinary = binary(TIMESTAMP, b);
        String text = render(TIMESTAMP, b);
        assertThat(text(TIMESTAMP, text)).isEqualTo(fromBinary);
        assertThat(Bin.timestamp((LocalDateTime) fromBinary)).isEqualTo(b);
        Object tz = binary(TIMESTAMPTZ, b);
        assertThat(text(TIMESTAMPTZ, render(TIMESTAMPTZ, b))).isEqualTo(tz);
        // The zone comes before the era: "0044-03-15 10:00:00+00 BC".
        String expectedTz = text.endsWith(" BC") ? text.replace(" BC", "+00 BC") : text + "+00";
        assertThat(render(TIMESTAMPTZ, b)).isEqualTo(expectedTz);
    }

    @Property
    void dateBinaryRoundTrip(@ForAll @IntRange(min = -2451545, max = 2147483494) int days) {
        byte[] b = Bin.int4(days);
        Object d = binary(DATE, b);
        assertThat(text(DATE, render(DATE, b))).isEqualTo(d);
        assertThat(Bin.date((LocalDate) d)).isEqualTo(b);
    }

    @Property
    void timetzRoundTrip(
            @ForAll @LongRange(min = 0, max = 86_400_000_000L) long micros,
            @ForAll @IntRange(min = -57599, max = 57599) int secondsWest) {
        byte[] b = ByteBuffer.allocate(12).putLong(micros).putInt(secondsWest).array();
        Object t = binary(TIMETZ, b);
        assertThat(text(TIMETZ, render(TIMETZ, b))).isEqualTo(t);
    }
}
