package io.pgferry.kafka.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The cheap path for UTC timestamptz text agrees with the general one wherever it answers. */
class ValueWriterTest {
    /** timestamptz output in ISO DateStyle with TimeZone UTC: fraction without trailing zeros, offset {@code +00}. */
    private static final DateTimeFormatter SERVER_UTC = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .appendLiteral("+00")
            .toFormatter(java.util.Locale.ROOT);

    @Property(tries = 2000)
    void agreesWithTheFormatterForEveryUtcInstant(
            @ForAll @LongRange(min = -62_135_596_800_000_000L, max = 253_402_300_799_999_999L) long micros) {
        OffsetDateTime t = OffsetDateTime.ofInstant(
                java.time.Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
        String serverText = SERVER_UTC.format(t);
        assertThat(ValueWriter.utcText(serverText)).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t));
    }

    @Test
    void leavesEveryOtherFormToTheGeneralPath() {
        assertThat(ValueWriter.utcText("2026-01-01 00:00:01+02")).isNull();
        assertThat(ValueWriter.utcText("2026-01-01 00:00:01+05:30")).isNull();
        assertThat(ValueWriter.utcText("0044-03-15 12:00:00+00 BC")).isNull();
        assertThat(ValueWriter.utcText("infinity")).isNull();
        assertThat(ValueWriter.utcText("12026-01-01 00:00:01+00")).isNull();
        assertThat(ValueWriter.utcText("2026-01-01 00:00:01.+00")).isNull();
        assertThat(ValueWriter.utcText("2026-01-01T00:00:01+00")).isNull();
    }

    @Test
    void keepsTheFractionAsTheServerWroteIt() {
        assertThat(ValueWriter.utcText("2026-01-01 00:00:01.25+00")).isEqualTo("2026-01-01T00:00:01.25Z");
        assertThat(ValueWriter.utcText("2026-01-01 00:00:00+00")).isEqualTo("2026-01-01T00:00:00Z");
    }
}
