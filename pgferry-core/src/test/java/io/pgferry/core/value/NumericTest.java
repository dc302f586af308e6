package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NumericTest {
    private static final TypeResolver TYPES = BuiltinTypes.builtin();

    private static Object text(String s) {
        return PgValues.fromText(NUMERIC, s, TYPES);
    }

    private static Object binary(byte[] b) {
        return PgValues.fromBinary(NUMERIC, b, 0, b.length, TYPES);
    }

    private static String render(byte[] b) {
        return PgValues.binaryToText(NUMERIC, b, 0, b.length, TYPES);
    }

    @Test
    void textKeepsTheDisplayScale() {
        assertThat(text("0.000")).isEqualTo(new BigDecimal("0.000"));
        assertThat(((BigDecimal) text("0.000")).scale()).isEqualTo(3);
        assertThat(text("1.50")).isEqualTo(new BigDecimal("1.50"));
        assertThat(text("-12345.6789")).isEqualTo(new BigDecimal("-12345.6789"));
        assertThat(text("100000000000000000000")).isEqualTo(new BigDecimal("100000000000000000000"));
    }

    @Test
    void specialValues() {
        assertThat(text("NaN")).isEqualTo(Special.NAN);
        assertThat(text("Infinity")).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(text("-Infinity")).isEqualTo(Special.NEGATIVE_INFINITY);
        assertThat(binary(Bin.numericSign(0xC000))).isEqualTo(Special.NAN);
        assertThat(binary(Bin.numericSign(0xD000))).isEqualTo(Special.POSITIVE_INFINITY);
        assertThat(binary(Bin.numericSign(0xF000))).isEqualTo(Special.NEGATIVE_INFINITY);
        assertThat(render(Bin.numericSign(0xC000))).isEqualTo("NaN");
        assertThat(render(Bin.numericSign(0xD000))).isEqualTo("Infinity");
        assertThat(render(Bin.numericSign(0xF000))).isEqualTo("-Infinity");
    }

    @Test
    void thousandDigits() {
        String digits = "9".repeat(600) + "." + "0123456789".repeat(40);
        assertThat(text(digits)).isEqualTo(new BigDecimal(digits));
        byte[] b = Bin.numeric(new BigDecimal(digits));
        assertThat(binary(b)).isEqualTo(new BigDecimal(digits));
        assertThat(render(b)).isEqualTo(digits);
        assertThat(render(Bin.numeric(new BigDecimal("-" + digits)))).isEqualTo("-" + digits);
    }

    @Test
    void serverBytes() {
        // numeric_send output of PostgreSQL 15.
        assertThat(render(Bin.hex("0000000000000003"))).isEqualTo("0.000");
        assertThat(render(Bin.hex("00010005000000000001"))).isEqualTo("100000000000000000000");
        assertThat(render(Bin.hex("0003000140000004000109291a85"))).isEqualTo("-12345.6789");
        assertThat(render(Bin.hex("0001fffe400000060064"))).isEqualTo("-0.000001");
        assertThat(render(Bin.hex("000200000000000200011388"))).isEqualTo("1.50");
    }

    @Test
    void negativeScaleValuesPrintAsIntegers() {
        // A numeric(p, -s) column rounds to tens, hundreds...; the stored display scale is still 0.
        byte[] b = Bin.numeric(new BigDecimal("1.235E+5"));
        assertThat(render(b)).isEqualTo("123500");
        assertThat(binary(b)).isEqualTo(new BigDecimal("123500"));
        assertThat(render(Bin.numeric(new BigDecimal("-1E+20")))).isEqualTo("-100000000000000000000");
    }

    @Test
    void malformedBinaryFailsWithoutQuotingTheValue() {
        assertThatThrownBy(() -> binary(Bin.hex("000100000000000027")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type OID 1700");
        assertThatThrownBy(() -> binary(Bin.hex("00000000a0000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sign");
        assertThatThrownBy(() -> text("12x34"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type OID 1700")
                .hasMessageNotContaining("12x34");
    }

    @Property
    void binaryRoundTrip(@ForAll("decimals") BigDecimal v) {
        BigDecimal expected = v.setScale(Math.max(0, v.scale()));
        byte[] b = Bin.numeric(v);
        assertThat(binary(b)).isEqualTo(expected);
        assertThat(render(b)).isEqualTo(expected.toPlainString());
        assertThat(text(expected.toPlainString())).isEqualTo(expected);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60))
                .edgeCases(c -> c.add(BigInteger.ZERO, BigInteger.valueOf(10000), BigInteger.valueOf(9999)));
        Arbitrary<Integer> scale = Arbitraries.integers().between(-30, 60);
        return Combinators.combine(unscaled, scale).as(BigDecimal::new);
    }
}
