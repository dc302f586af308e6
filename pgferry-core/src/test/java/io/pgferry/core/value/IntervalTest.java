package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntervalTest {
    private static final long SECOND = 1_000_000L;
    private static final long HOUR = 3600 * SECOND;

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // PostgreSQL 15's output for these (months, days, microseconds).
                "14|3|14706789000|1 year 2 mons 3 days 04:05:06.789",
                "0|0|-1000000|-00:00:01",
                "-10|-3|14400000000|-10 mons -3 days +04:00:00",
                "1|-1|0|1 mon -1 days",
                "0|-1|3600000000|-1 days +01:00:00",
                "0|1|-3600000000|1 day -01:00:00",
                "0|0|0|00:00:00",
                "0|0|360000000000|100:00:00",
                "-12|0|0|-1 years",
                "1|1|0|1 mon 1 day",
                "0|0|-1|-00:00:00.000001",
                "-1|0|1000000|-1 mons +00:00:01",
                "11|0|0|11 mons",
                "2147483647|2147483647|9223372036000000|178956970 years 7 mons 2147483647 days 2562047:47:16",
                "-2147483648|-2147483648|-9223372036000000|-178956970 years -8 mons -2147483648 days -2562047:47:16",
                "0|0|9223372036854775807|2562047788:00:54.775807",
                "0|0|-9223372036854775808|-2562047788:00:54.775808",
                "-1|2|0|-1 mons +2 days",
                "12|-1|-1|1 year -1 days -00:00:00.000001",
                "-13|5|0|-1 years -1 mons +5 days",
            })
    void postgresStyle(int months, int days, long micros, String text) {
        PgInterval v = new PgInterval(months, days, micros);
        assertThat(v.toString()).isEqualTo(text);
        assertThat(PgValues.fromText(INTERVAL, text, BuiltinTypes.builtin())).isEqualTo(v);
        byte[] b = Bin.interval(micros, days, months);
        assertThat(PgValues.fromBinary(INTERVAL, b, 0, b.length, null)).isEqualTo(v);
        assertThat(PgValues.binaryToText(INTERVAL, b, 0, b.length, null)).isEqualTo(text);
    }

    @Test
    void otherStyles() {
        assertThat(PgInterval.parse("@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs"))
                .isEqualTo(new PgInterval(14, 3, 4 * HOUR + 5 * 60 * SECOND + 6_789_000));
        assertThat(PgInterval.parse("@ 10 mons 3 days -4 hours ago")).isEqualTo(new PgInterval(-10, -3, 4 * HOUR));
        assertThat(PgInterval.parse("@ 0")).isEqualTo(new PgInterval(0, 0, 0));
        assertThat(PgInterval.parse("P1Y2M3DT4H5M6.789S"))
                .isEqualTo(new PgInterval(14, 3, 4 * HOUR + 5 * 60 * SECOND + 6_789_000));
        assertThat(PgInterval.parse("P-10M-3DT4H")).isEqualTo(new PgInterval(-10, -3, 4 * HOUR));
        assertThat(PgInterval.parse("PT-1.5S")).isEqualTo(new PgInterval(0, 0, -1_500_000));
        assertThat(PgInterval.parse("PT0S")).isEqualTo(new PgInterval(0, 0, 0));
    }

    @Test
    void infinityOfPostgres17() {
        assertThat(PgValues.fromText(INTERVAL, "infinity", null)).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(PgValues.fromText(INTERVAL, "-infinity", null)).isEqualTo(Special.NEGATIVE_INFINITY);
        byte[] pos = Bin.interval(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        byte[] neg = Bin.interval(Long.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE);
        assertThat(PgValues.fromBinary(INTERVAL, pos, 0, 16, null)).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(PgValues.binaryToText(INTERVAL, neg, 0, 16, null)).isEqualTo("-infinity");
        assertThatThrownBy(() -> PgInterval.parse("infinity")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformed() {
        assertThatThrownBy(() -> PgInterval.parse("1 fortnight")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgInterval.parse("1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgInterval.parse("1:2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgInterval.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 2000)
    void textRoundTrip(@ForAll int months, @ForAll int days, @ForAll long micros) {
        PgInterval v = new PgInterval(months, days, micros);
        assertThat(PgInterval.parse(v.toString())).isEqualTo(v);
    }
}
