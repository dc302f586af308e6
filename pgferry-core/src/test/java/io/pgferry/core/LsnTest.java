package io.pgferry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The text form of {@link Lsn}: PostgreSQL's {@code %X/%X}, and back. */
class LsnTest {
    @Test
    void printsUpperCaseHalvesWithoutLeadingZeros() {
        assertThat(Lsn.INVALID.toString()).isEqualTo("0/0");
        assertThat(Lsn.of(0x16B374D848L).toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.of(0x0000000100000000L).toString()).isEqualTo("1/0");
        assertThat(Lsn.of(0x00000000000000ABL).toString()).isEqualTo("0/AB");
        assertThat(Lsn.of(0x0F0000000F000000L).toString()).isEqualTo("F000000/F000000");
        assertThat(Lsn.of(-1L).toString()).isEqualTo("FFFFFFFF/FFFFFFFF");
        assertThat(Lsn.of(Long.MIN_VALUE).toString()).isEqualTo("80000000/0");
    }

    @Property
    void printsAsStringFormatDoes(@ForAll long value) {
        assertThat(Lsn.of(value).toString())
                .isEqualTo(String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL));
    }

    @Property
    void parsesWhatItPrints(@ForAll long value) {
        assertThat(Lsn.parse(Lsn.of(value).toString())).isEqualTo(Lsn.of(value));
    }
}
