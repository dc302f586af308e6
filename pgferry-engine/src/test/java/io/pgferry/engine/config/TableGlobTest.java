package io.pgferry.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import org.junit.jupiter.api.Test;

/** Table patterns of --tables and --exclude: wildcards per part, schema public by default, quoted parts literal. */
class TableGlobTest {
    private static boolean matches(String glob, String schema, String table) {
        return TableGlob.parse(glob).matches(new TableName(schema, table));
    }

    @Test
    void wildcardsMatchWithinOnePart() {
        assertThat(matches("public.*", "public", "orders")).isTrue();
        assertThat(matches("public.*", "sales", "orders")).isFalse();
        assertThat(matches("sales.order*", "sales", "order_lines")).isTrue();
        assertThat(matches("sales.order*", "sales", "orders")).isTrue();
        assertThat(matches("sales.order*", "sales", "porder")).isFalse();
        assertThat(matches("*.t?", "x", "t1")).isTrue();
        assertThat(matches("*.t?", "x", "t12")).isFalse();
        assertThat(matches("*.*", "any", "thing")).isTrue();
    }

    @Test
    void aNameWithoutADotIsInSchemaPublicAndMatchingIsCaseSensitive() {
        assertThat(matches("orders", "public", "orders")).isTrue();
        assertThat(matches("orders", "sales", "orders")).isFalse();
        assertThat(matches("public.orders", "public", "Orders")).isFalse();
    }

    @Test
    void quotedPartsAreLiteralIncludingDotsAndWildcards() {
        assertThat(matches("\"My Schema\".\"a.b*\"", "My Schema", "a.b*")).isTrue();
        assertThat(matches("\"My Schema\".\"a.b*\"", "My Schema", "a.bc")).isFalse();
        assertThat(matches("\"Q\"\"s\".*", "Q\"s", "x")).isTrue();
        assertThat(matches("public.a.b", "public", "a.b"))
                .as("only the first dot splits")
                .isTrue();
    }

    @Test
    void emptyPartsAndStrayQuotesAreRefusedWithTheFix() {
        for (String bad : new String[] {"", " ", ".t", "s.", "pub\"lic.t"}) {
            assertThatThrownBy(() -> TableGlob.parse(bad))
                    .as(bad)
                    .isInstanceOf(PgFerryException.class)
                    .satisfies(e -> assertThat(((PgFerryException) e).fix()).isNotEmpty());
        }
    }
}
