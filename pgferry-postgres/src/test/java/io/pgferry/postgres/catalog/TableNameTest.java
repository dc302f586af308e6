package io.pgferry.postgres.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableNameTest {
    @Test
    void schemaAndTable() {
        assertThat(TableName.parse("sales.orders")).isEqualTo(new TableName("sales", "orders"));
        assertThat(TableName.parse("orders")).isEqualTo(new TableName("public", "orders"));
    }

    @Test
    void quotedPartsAreVerbatim() {
        assertThat(TableName.parse("\"Mixed Case\".\"t.x\"")).isEqualTo(new TableName("Mixed Case", "t.x"));
        assertThat(TableName.parse("\"a\"\"b\"")).isEqualTo(new TableName("public", "a\"b"));
        assertThat(TableName.parse("s.\"x,y\"")).isEqualTo(new TableName("s", "x,y"));
    }

    @Test
    void barePartsFoldAsciiToLowerCaseLikePostgresql() {
        assertThat(TableName.parse("Sales.Orders")).isEqualTo(new TableName("sales", "orders"));
        assertThat(TableName.parse("Café")).isEqualTo(new TableName("public", "café"));
        assertThat(TableName.parse("ÉTÉ")).isEqualTo(new TableName("public", "ÉtÉ"));
    }

    @Test
    void lists() {
        assertThat(TableName.parseList("a.b, c.d ,e,\"F G\".\"h,i\""))
                .containsExactly(
                        new TableName("a", "b"),
                        new TableName("c", "d"),
                        new TableName("public", "e"),
                        new TableName("F G", "h,i"));
    }

    @Test
    void toStringParsesBack() {
        for (TableName t : List.of(
                new TableName("public", "orders"),
                new TableName("Mixed Case", "t.x"),
                new TableName("a\"b", "ünï ✓"),
                new TableName("s", "x,y"))) {
            assertThat(TableName.parse(t.toString())).isEqualTo(t);
        }
        assertThat(new TableName("public", "orders")).hasToString("public.orders");
        assertThat(new TableName("Sales", "a b")).hasToString("\"Sales\".\"a b\"");
        assertThat(new TableName("s", "t\"q").quoted()).isEqualTo("\"s\".\"t\"\"q\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a.", ".b", "a..b", "a.b.c", "\"open", "a,", ",a", "a b", "\"\".x", "a\"b\""})
    void invalidNames(String text) {
        assertThatThrownBy(() -> TableName.parseList(text))
                .isInstanceOf(PgFerryException.class)
                .satisfies(e -> assertThat(((PgFerryException) e).fix()).contains("schema.table"));
    }

    @Test
    void parseWantsExactlyOne() {
        assertThatThrownBy(() -> TableName.parse("a,b")).hasMessageContaining("expected one table");
    }
}
