package io.pgferry.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("source", "publication", "slot", "checkpoint", "memory_limit");

    @Test
    void suggestsTheNearestKeyForATypo() {
        assertThat(Suggestions.closest("sorce", KEYS)).isEqualTo("source");
        assertThat(Suggestions.closest("publicaton", KEYS)).isEqualTo("publication");
        assertThat(Suggestions.closest("memory_limt", KEYS)).isEqualTo("memory_limit");
    }

    @Test
    void suggestsNothingForANameFarFromEveryKey() {
        assertThat(Suggestions.closest("webhook", KEYS)).isNull();
        assertThat(Suggestions.closest("x", List.of())).isNull();
    }

    @Test
    void distanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("slot", "slot")).isZero();
    }

    @Property
    void distanceIsSymmetricAndBoundedByTheLongerLength(@ForAll String a, @ForAll String b) {
        int d = Suggestions.distance(a, b);
        assertThat(d).isEqualTo(Suggestions.distance(b, a));
        assertThat(d).isBetween(Math.abs(a.length() - b.length()), Math.max(a.length(), b.length()));
    }
}
