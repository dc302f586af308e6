package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.BIT;
import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.BYTEA;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT8_ARRAY;
import static io.pgferry.core.value.BuiltinTypes.JSON;
import static io.pgferry.core.value.BuiltinTypes.JSONB;
import static io.pgferry.core.value.BuiltinTypes.MACADDR;
import static io.pgferry.core.value.BuiltinTypes.MACADDR8;
import static io.pgferry.core.value.BuiltinTypes.MONEY;
import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static io.pgferry.core.value.BuiltinTypes.OID;
import static io.pgferry.core.value.BuiltinTypes.TEXT;
import static io.pgferry.core.value.BuiltinTypes.UUID;
import static io.pgferry.core.value.BuiltinTypes.VARBIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiscTypesTest {
    private static Object text(int oid, String s) {
        return PgValues.fromText(oid, s, BuiltinTypes.builtin());
    }

    private static Object binary(int oid, byte[] b) {
        return PgValues.fromBinary(oid, b, 0, b.length, BuiltinTypes.builtin());
    }

    private static String render(int oid, byte[] b) {
        return PgValues.binaryToText(oid, b, 0, b.length, BuiltinTypes.builtin());
    }

    @Test
    void bytea() {
        assertThat((byte[]) text(BYTEA, "\\x")).isEmpty();
        assertThat((byte[]) text(BYTEA, "\\x00ff7F80")).containsExactly(0, 0xff, 0x7f, 0x80);
        assertThat((byte[]) text(BYTEA, "")).isEmpty();
        assertThat((byte[]) text(BYTEA, "ab\\000\\\\\\377 ")).containsExactly('a', 'b', 0, '\\', 0xff, ' ');
        assertThat(render(BYTEA, new byte[0])).isEqualTo("\\x");
        assertThat(render(BYTEA, new byte[] {0, -1, 16})).isEqualTo("\\x00ff10");
        assertThat((byte[]) binary(BYTEA, new byte[] {1, 2})).containsExactly(1, 2);
        assertThatThrownBy(() -> text(BYTEA, "\\x0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> text(BYTEA, "\\9")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boolUuidJson() {
        assertThat(text(BOOL, "t")).isEqualTo(true);
        assertThat(text(BOOL, "f")).isEqualTo(false);
        assertThat(render(BOOL, new byte[] {1})).isEqualTo("t");
        java.util.UUID u = java.util.UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(text(UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).isEqualTo(u);
        assertThatThrownBy(() -> text(UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(text(JSON, "{\"a\": [1, 2.50]}")).isEqualTo(new Json("{\"a\": [1, 2.50]}"));
        byte[] jsonb = Bin.hex("01227465787422");
        assertThat(binary(JSONB, jsonb)).isEqualTo(new Json("\"text\""));
        assertThat(render(JSONB, jsonb)).isEqualTo("\"text\"");
        assertThatThrownBy(() -> binary(JSONB, Bin.hex("02227465787422"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void macAddresses() {
        MacAddress m = (MacAddress) text(MACADDR, "08:00:2b:01:02:03");
        assertThat(m.bytes()).containsExactly(8, 0, 0x2b, 1, 2, 3);
        assertThat(m).hasToString("08:00:2b:01:02:03").isEqualTo(new MacAddress(new byte[] {8, 0, 0x2b, 1, 2, 3}));
        assertThat(render(MACADDR8, Bin.hex("08002b01020304ff"))).isEqualTo("08:00:2b:01:02:03:04:ff");
        assertThatThrownBy(() -> binary(MACADDR, Bin.hex("0800"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void money() {
        assertThat(text(MONEY, "$1,234.56")).isEqualTo(new Money("$1,234.56", new BigDecimal("1234.56")));
        assertThat(((Money) text(MONEY, "-$1,234.56")).amount()).isEqualTo(new BigDecimal("-1234.56"));
        assertThat(((Money) text(MONEY, "($0.01)")).amount()).isEqualTo(new BigDecimal("-0.01"));
        assertThat(((Money) text(MONEY, "1.234.567,89 €")).amount()).isEqualTo(new BigDecimal("1234567.89"));
        assertThat(((Money) text(MONEY, "¥1,235")).amount()).isEqualTo(new BigDecimal("1235"));
        assertThat(((Money) text(MONEY, "$1,234,567")).amount()).isEqualTo(new BigDecimal("1234567"));
        assertThat(binary(MONEY, Bin.int8(123456))).isEqualTo(new Money("1234.56", new BigDecimal("1234.56")));
        assertThat(render(MONEY, Bin.int8(-1))).isEqualTo("-0.01");
        assertThat(render(MONEY, Bin.int8(Long.MIN_VALUE))).isEqualTo("-92233720368547758.08");
    }

    @Test
    void bitStrings() {
        assertThat(text(VARBIT, "0101")).isEqualTo(new BitString("0101"));
        assertThat(text(VARBIT, "")).isEqualTo(new BitString(""));
        assertThat(binary(VARBIT, Bin.hex("00000009aa80"))).isEqualTo(new BitString("101010101"));
        assertThat(render(BIT, Bin.hex("00000010ff00"))).isEqualTo("1111111100000000");
        assertThatThrownBy(() -> text(BIT, "012")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> binary(BIT, Bin.hex("00000009aa"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownTypesKeepTheirText() {
        assertThat(text(600, "(1,2)")).isEqualTo("(1,2)");
        assertThat(PgValues.fromText(99999, "whatever", BuiltinTypes.builtin())).isEqualTo("whatever");
        assertThat(PgValues.fromText(99999, "whatever", null)).isEqualTo("whatever");
        TypeResolver composite = oid -> new TypeInfo(oid, "public", "pair", TypeInfo.Kind.COMPOSITE, 0, 0, ',');
        assertThat(PgValues.fromText(70000, "(1,x)", composite)).isEqualTo("(1,x)");
        assertThat(PgValues.fromText(3904, "[1,3)", null)).isEqualTo("[1,3)");
        TypeResolver citext = oid -> TypeInfo.base(oid, "citext");
        assertThat(PgValues.fromText(70001, "MiXeD", citext)).isEqualTo("MiXeD");
        assertThatThrownBy(() -> PgValues.fromBinary(70001, new byte[] {65}, 0, 1, citext))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70001");
        assertThatThrownBy(() -> PgValues.fromBinary(600, new byte[16], 0, 16, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("600");
    }

    @Test
    void domainsDecodeAsTheirBaseType() {
        TypeInfo price = new TypeInfo(80000, "public", "price", TypeInfo.Kind.DOMAIN, 0, NUMERIC, ',');
        TypeInfo cheap = new TypeInfo(80001, "public", "cheap", TypeInfo.Kind.DOMAIN, 0, 80000, ',');
        TypeInfo loop = new TypeInfo(80002, "public", "loop", TypeInfo.Kind.DOMAIN, 0, 80002, ',');
        TypeResolver types = oid -> List.of(price, cheap, loop).stream()
                .filter(t -> t.oid() == oid)
                .findFirst()
                .orElse(null);
        assertThat(PgValues.fromText(80001, "1.50", types)).isEqualTo(new BigDecimal("1.50"));
        byte[] b = Bin.numeric(new BigDecimal("1.50"));
        assertThat(PgValues.binaryToText(80001, b, 0, b.length, types)).isEqualTo("1.50");
        assertThat(PgValues.jsonKind(80001, types)).isEqualTo(JsonKind.STRING);
        assertThatThrownBy(() -> PgValues.fromText(80002, "1", types)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void enums() {
        TypeResolver types = oid -> new TypeInfo(oid, "public", "mood", TypeInfo.Kind.ENUM, 0, 0, ',');
        assertThat(PgValues.fromText(90000, "happy", types)).isEqualTo("happy");
        assertThat(PgValues.fromBinary(90000, Bin.utf8("sad"), 0, 3, types)).isEqualTo("sad");
        assertThat(PgValues.binaryToText(90000, Bin.utf8("sad"), 0, 3, types)).isEqualTo("sad");
        assertThat(PgValues.jsonKind(90000, types)).isEqualTo(JsonKind.STRING);
    }

    @Test
    void jsonKinds() {
        TypeResolver types = BuiltinTypes.builtin();
        assertThat(PgValues.jsonKind(INT4, types)).isEqualTo(JsonKind.NUMBER);
        assertThat(PgValues.jsonKind(OID, types)).isEqualTo(JsonKind.NUMBER);
        assertThat(PgValues.jsonKind(FLOAT8, types)).isEqualTo(JsonKind.FLOAT);
        assertThat(PgValues.jsonKind(BOOL, types)).isEqualTo(JsonKind.BOOLEAN);
        assertThat(PgValues.jsonKind(JSONB, types)).isEqualTo(JsonKind.JSON);
        assertThat(PgValues.jsonKind(INT8_ARRAY, types)).isEqualTo(JsonKind.ARRAY);
        assertThat(PgValues.jsonKind(NUMERIC, types)).isEqualTo(JsonKind.STRING);
        assertThat(PgValues.jsonKind(TEXT, types)).isEqualTo(JsonKind.STRING);
        assertThat(PgValues.jsonKind(12345678, types)).isEqualTo(JsonKind.STRING);
    }

    @Test
    void builtinResolver() {
        assertThat(BuiltinTypes.builtin().resolve(INT8_ARRAY))
                .isEqualTo(new TypeInfo(INT8_ARRAY, "pg_catalog", "_int8", TypeInfo.Kind.ARRAY, 20, 0, ','));
        assertThat(BuiltinTypes.builtin().resolve(16384)).isNull();
        assertThat(BuiltinTypes.lookup(603).delimiter()).isEqualTo(';');
    }

    @Test
    void sliceBoundsAreChecked() {
        assertThatThrownBy(() -> PgValues.fromBinary(INT4, new byte[4], 2, 4, null))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
