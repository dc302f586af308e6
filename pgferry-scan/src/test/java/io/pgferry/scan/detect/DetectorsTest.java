package io.pgferry.scan.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectorsTest {
    private static List<String> found(Detector d, String value) {
        List<String> out = new ArrayList<>();
        d.find(value, (s, e) -> out.add(value.substring(s, e)));
        return out;
    }

    /** Issue 8, defect 6: pgsense-rs reported only the first match of a rule in a value. */
    @Test
    void reportsEveryMatchInAValue() {
        Detector cards = Detectors.load().create("credit_card");
        assertThat(found(cards, "4111 1111 1111 1111 5555 5555 5555 4444, 378282246310005"))
                .containsExactly("4111 1111 1111 1111", "5555 5555 5555 4444", "378282246310005");
        Detector emails = Detectors.load().create("email");
        assertThat(found(emails, "a@b.com;c@d.org,e@f.net")).containsExactly("a@b.com", "c@d.org", "e@f.net");
        RegexDetector tickets = new RegexDetector(Pattern.compile("T[0-9]+"), null);
        assertThat(found(tickets, "T1 T22 T333")).containsExactly("T1", "T22", "T333");
    }

    @Test
    void emptyMatchesAreSkippedAndTheSearchMovesOn() {
        RegexDetector d = new RegexDetector(Pattern.compile("x*"), null);
        assertThat(found(d, "axxbx")).containsExactly("xx", "x");
    }

    @Test
    void validatorsCheckTheMatch() {
        assertThat(Validator.ALL.get("luhn").valid("4111-1111-1111-1111", 0, 19))
                .isTrue();
        assertThat(Validator.ALL.get("luhn").valid("4111-1111-1111-1112", 0, 19))
                .isFalse();
        assertThat(Validator.ALL.get("ssn").valid("123-45-6789", 0, 11)).isTrue();
        assertThat(Validator.ALL.get("ssn").valid("666-45-6789", 0, 11)).isFalse();
        assertThat(Validator.ALL.get("iban").valid("GB82 WEST 1234 5698 7654 32", 0, 27))
                .isTrue();
        assertThat(Validator.ALL.get("email").valid("x@example.org", 0, 13)).isTrue();
        assertThat(Validator.ALL.get("phone").valid("+1 415 555 2671", 0, 15)).isTrue();
        assertThat(Validator.ALL.get("phone").valid("+1 000", 0, 6)).isFalse();
    }

    /**
     * A pattern that makes a backtracking engine exponential, on a 10 kB value built to trigger it: RE2 is linear, so
     * this takes milliseconds rather than forever. The bound is loose on purpose; a backtracking engine would not
     * finish this test at all.
     */
    @Test
    void pathologicalPatternOnAdversarialValueStaysLinear() {
        RegexDetector evil = new RegexDetector(Pattern.compile("(a+)+b"), null);
        String value = "a".repeat(10_000) + "!";
        long start = System.nanoTime();
        assertThat(found(evil, value)).isEmpty();
        RegexDetector nested = new RegexDetector(Pattern.compile("(x+x+)+y"), null);
        assertThat(found(nested, "x".repeat(10_000))).isEmpty();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).isLessThan(2_000);
    }
}
