package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import org.junit.jupiter.api.Test;

/** Type modifiers decoded as PostgreSQL encodes them, and the MySQL and SQLite column types chosen from them. */
class PgTypeTest {
    /** numeric(p, s)'s atttypmod: ((p << 16) | (s & 0x7ff)) + VARHDRSZ, as numeric.c makes it. */
    private static int numeric(int p, int s) {
        return ((p << 16) | (s & 0x7ff)) + 4;
    }

    @Test
    void numericPrecisionAndScaleIncludingNegativeScales() {
        PgType t = PgType.of(BuiltinTypes.NUMERIC, numeric(38, 10));
        assertThat(t.precision()).isEqualTo(38);
        assertThat(t.scale()).isEqualTo(10);
        assertThat(t.constrainedDecimal()).isTrue();
        PgType negative = PgType.of(BuiltinTypes.NUMERIC, numeric(5, -2));
        assertThat(negative.scale()).isEqualTo(-2);
        assertThat(negative.constrainedDecimal()).isFalse();
        assertThat(PgType.of(BuiltinTypes.NUMERIC, -1).constrainedDecimal()).isFalse();
    }

    @Test
    void mysqlTypesKeepEveryValueExact() {
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.NUMERIC, numeric(38, 10)), false, 1))
                .isEqualTo("DECIMAL(38,10)");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.NUMERIC, numeric(70, 2)), false, 1))
                .isEqualTo("LONGTEXT");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.NUMERIC, -1), false, 1))
                .isEqualTo("LONGTEXT");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.TIMESTAMPTZ, -1), false, 1))
                .isEqualTo("DATETIME(6)");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.TEXT, -1), true, 2))
                .isEqualTo("VARCHAR(384)");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.INT4_ARRAY, -1), false, 1))
                .isEqualTo("JSON");
        assertThat(MySqlTypes.declared(PgType.of(BuiltinTypes.BYTEA, -1), true, 1))
                .isEqualTo("VARBINARY(3072)");
    }

    @Test
    void anExistingColumnMustHoldTheMappedValues() {
        PgType n = PgType.of(BuiltinTypes.NUMERIC, numeric(12, 2));
        assertThat(MySqlTypes.incompatibility(n, "decimal(14,2)")).isEmpty();
        assertThat(MySqlTypes.incompatibility(n, "decimal(10,2)")).isPresent();
        assertThat(MySqlTypes.incompatibility(n, "double")).get().asString().contains("expected DECIMAL(12,2)");
        assertThat(MySqlTypes.incompatibility(PgType.of(BuiltinTypes.TIMESTAMPTZ, -1), "timestamp"))
                .isPresent();
    }

    @Test
    void quotingSurvivesQuotesUnicodeAndReservedWords() {
        MySqlDialect my = new MySqlDialect("db", Unrepresentable.ERROR, true, false);
        SqliteDialect lite = new SqliteDialect(Unrepresentable.ERROR);
        assertThat(my.quote("we`ird Ünï")).isEqualTo("`we``ird Ünï`");
        assertThat(lite.quote("se\"lect")).isEqualTo("\"se\"\"lect\"");
        String create = lite.createTable(
                new TargetTable("main", "t"),
                java.util.List.of(new Column("id", BuiltinTypes.INT4, -1, true), new Column("v", 25, -1, false)));
        assertThat(create)
                .isEqualTo("CREATE TABLE \"main\".\"t\" (\"id\" INTEGER NOT NULL, \"v\" TEXT,"
                        + " PRIMARY KEY (\"id\")) STRICT");
        assertThat(lite.target("public", "t", null)).isEqualTo(new TargetTable("main", "t"));
        assertThat(lite.target("sales", "t", null)).isEqualTo(new TargetTable("main", "sales_t"));
    }
}
