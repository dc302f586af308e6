package io.pgferry.postgres.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentifiersTest {
    @Test
    void alwaysQuotesAndDoublesEmbeddedQuotes() {
        assertThat(Identifiers.quote("orders")).isEqualTo("\"orders\"");
        assertThat(Identifiers.quote("Mixed Case")).isEqualTo("\"Mixed Case\"");
        assertThat(Identifiers.quote("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(Identifiers.quote("\"")).isEqualTo("\"\"\"\"");
        assertThat(Identifiers.quote("t.x; DROP TABLE y")).isEqualTo("\"t.x; DROP TABLE y\"");
        assertThat(Identifiers.quote("café ✓")).isEqualTo("\"café ✓\"");
        assertThat(Identifiers.quote("select")).isEqualTo("\"select\"");
    }

    @Test
    void qualified() {
        assertThat(Identifiers.qualified("public", "Order Lines")).isEqualTo("\"public\".\"Order Lines\"");
    }

    @Test
    void rejectsWhatPostgresqlNeverAccepts() {
        assertThatThrownBy(() -> Identifiers.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identifiers.quote(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identifiers.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void displayQuotesOnlyWhenNeeded() {
        assertThat(Identifiers.display("orders_2024")).isEqualTo("orders_2024");
        assertThat(Identifiers.display("Orders")).isEqualTo("\"Orders\"");
        assertThat(Identifiers.display("a b")).isEqualTo("\"a b\"");
        assertThat(Identifiers.display("1st")).isEqualTo("\"1st\"");
    }
}
