package io.pgferry.scan;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class MaskingTest {
    @Test
    void keepsTwoAtEachEndFromEightCharacters() {
        assertThat(Masking.sample("4111111111111111")).isEqualTo("41************11");
        assertThat(Masking.sample("12345678")).isEqualTo("12****78");
        assertThat(Masking.sample("1234567")).isEqualTo("*******");
        assertThat(Masking.sample("")).isEmpty();
    }

    @Test
    void neverSplitsACharacter() {
        assertThat(Masking.sample("😀😀abcdef😀😀")).isEqualTo("😀😀******😀😀");
    }

    @Property
    void showsAtMostFourCharactersAndKeepsTheLength(@ForAll String value) {
        String m = Masking.sample(value);
        int n = value.codePointCount(0, value.length());
        assertThat(m.codePointCount(0, m.length())).isEqualTo(n);
        long shown = m.codePoints().filter(c -> c != '*').count();
        assertThat(shown).isLessThanOrEqualTo(n < 8 ? 0 : 4);
    }
}
