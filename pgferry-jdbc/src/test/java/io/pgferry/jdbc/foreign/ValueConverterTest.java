package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.Unrepresentable;
import org.junit.jupiter.api.Test;

/** The fast path for timestamps agrees with the parsing path, and leaves everything unusual to it. */
class ValueConverterTest {
    private final ValueConverter mysql = new ValueConverter(
            Unrepresentable.ERROR,
            new ValueConverter.Limits(
                    java.time.LocalDateTime.of(1, 1, 1, 0, 0),
                    java.time.LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000),
                    false,
                    false));
    private final Column ts = new Column("ts", BuiltinTypes.TIMESTAMPTZ, -1, false);

    @Test
    void plainTimestampsTakeTheFastPathOthersAreParsed() {
        assertThat(ValueConverter.plainTimestamp("2024-02-29 12:34:56.123+00", true))
                .isEqualTo("2024-02-29 12:34:56.123000");
        assertThat(ValueConverter.plainTimestamp("2024-02-29 12:34:56", false)).isEqualTo("2024-02-29 12:34:56.000000");
        assertThat(ValueConverter.plainTimestamp("2024-02-29 12:34:56+02", true))
                .isNull();
        assertThat(ValueConverter.plainTimestamp("2024-02-29 12:34:56+05:30", true))
                .isNull();
        assertThat(ValueConverter.plainTimestamp("0044-03-15 00:00:00 BC", false))
                .isNull();
        assertThat(ValueConverter.plainTimestamp("infinity", false)).isNull();
        assertThat(ValueConverter.plainTimestamp("12024-01-01 00:00:00", false)).isNull();
        assertThat(mysql.convert(ts, PgType.of(ts), "2024-02-29 12:34:56.5+02"))
                .isEqualTo("2024-02-29 10:34:56.500000");
        assertThat(mysql.convert(ts, PgType.of(ts), "2024-02-29 12:34:56.5+00"))
                .isEqualTo("2024-02-29 12:34:56.500000");
    }
}
