package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LOAD DATA text format: escapes, NULL, bytes as hex, numbers in plain notation. */
class LoadDataTextTest {
    @Test
    void escapesWhatTheFormatGivesMeaning() {
        LoadDataText t = new LoadDataText(64);
        t.rows(List.of(
                new Object[] {1L, "a\tb\nc\\d\re\0f", null},
                new Object[] {true, new byte[] {0, (byte) 0xff}, new BigDecimal("1E+3")},
                new Object[] {"😀", "N", "\\N"}));
        assertThat(new String(t.bytes(), StandardCharsets.UTF_8))
                .isEqualTo("1\ta\\tb\\nc\\\\d\\re\\0f\t\\N\n" + "1\t00ff\t1000\n" + "😀\tN\t\\\\N\n");
    }
}
