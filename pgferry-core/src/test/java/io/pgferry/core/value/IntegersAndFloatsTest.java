package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.FLOAT4;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INT2;
import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT8;
import static io.pgferry.core.value.BuiltinTypes.OID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.MathContext;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class IntegersAndFloatsTest {
    private static final TypeResolver TYPES = BuiltinTypes.builtin();

    private static Object text(int oid, String s) {
        return PgValues.fromText(oid, s, TYPES);
    }

    private static Object binary(int oid, byte[] b) {
        return PgValues.fromBinary(oid, b, 0, b.length, TYPES);
    }

    private static String render(int oid, byte[] b) {
        return PgValues.binaryToText(oid, b, 0, b.length, TYPES);
    }

    @Test
    void integerExtremes() {
        assertThat(text(INT2, "-32768")).isEqualTo(Short.MIN_VALUE);
        assertThat(text(INT2, "32767")).isEqualTo(Short.MAX_VALUE);
        assertThat(text(INT4, "-2147483648")).isEqualTo(Integer.MIN_VALUE);
        assertThat(text(INT8, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(text(OID, "4294967295")).isEqualTo(4294967295L);
        assertThat(binary(INT2, Bin.int2(Short.MIN_VALUE))).isEqualTo(Short.MIN_VALUE);
        assertThat(binary(INT8, Bin.int8(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        assertThat(binary(OID, Bin.int4(-1))).isEqualTo(4294967295L);
        assertThat(render(OID, Bin.int4(-1))).isEqualTo("4294967295");
        assertThatThrownBy(() -> text(INT2, "32768")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> text(OID, "-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongBinaryLengthFails() {
        assertThatThrownBy(() -> binary(INT4, Bin.int8(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> binary(INT8, Bin.int4(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("short");
    }

    @Test
    void floatEdges() {
        assertThat(text(FLOAT4, "1e-45")).isEqualTo(Float.MIN_VALUE);
        assertThat(text(FLOAT4, "-0")).isEqualTo(-0.0f);
        assertThat(text(FLOAT8, "-0")).isEqualTo(-0.0d);
        assertThat(text(FLOAT8, "NaN")).isEqualTo(Double.NaN);
        assertThat(text(FLOAT8, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(text(FLOAT4, "-Infinity")).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(render(FLOAT4, Bin.float4(Float.MIN_VALUE))).isEqualTo("1e-45");
        assertThat(render(FLOAT4, Bin.float4(-0.0f))).isEqualTo("-0");
        assertThat(render(FLOAT8, Bin.float8(-0.0))).isEqualTo("-0");
        assertThat(render(FLOAT8, Bin.float8(Double.MIN_VALUE))).isEqualTo("5e-324");
        assertThat(render(FLOAT8, Bin.float8(Double.NEGATIVE_INFINITY))).isEqualTo("-Infinity");
        assertThat(render(FLOAT8, Bin.float8(Double.NaN))).isEqualTo("NaN");
        // Fixed notation for decimal exponents -4..14 (float8) and -4..5 (float4), like printf's %g.
        assertThat(render(FLOAT8, Bin.float8(123456789012345.0))).isEqualTo("123456789012345");
        assertThat(render(FLOAT8, Bin.float8(1e15))).isEqualTo("1e+15");
        assertThat(render(FLOAT8, Bin.float8(0.0001))).isEqualTo("0.0001");
        assertThat(render(FLOAT8, Bin.float8(0.00001))).isEqualTo("1e-05");
        assertThat(render(FLOAT8, Bin.float8(1.5e300))).isEqualTo("1.5e+300");
        assertThat(render(FLOAT4, Bin.float4(123456f))).isEqualTo("123456");
        assertThat(render(FLOAT4, Bin.float4(1234567f))).isEqualTo("1.234567e+06");
        // Java 17's Double.toString gives 2.82879384806159008E17 here; PostgreSQL prints the shortest form.
        assertThat(render(FLOAT8, Bin.float8(2.82879384806159e17))).isEqualTo("2.82879384806159e+17");
    }

    @Property
    void int8BinaryToTextIsDecimal(@ForAll long v) {
        assertThat(render(INT8, Bin.int8(v))).isEqualTo(Long.toString(v));
        assertThat(text(INT8, render(INT8, Bin.int8(v)))).isEqualTo(v);
    }

    @Property
    void int4AndInt2RoundTrip(@ForAll int i, @ForAll short s) {
        assertThat(binary(INT4, Bin.int4(i))).isEqualTo(i);
        assertThat(render(INT4, Bin.int4(i))).isEqualTo(Integer.toString(i));
        assertThat(binary(INT2, Bin.int2(s))).isEqualTo(s);
        assertThat(render(INT2, Bin.int2(s))).isEqualTo(Short.toString(s));
    }

    @Property(tries = 3000)
    void float8TextIsShortestAndExact(@ForAll double v) {
        String s = render(FLOAT8, Bin.float8(v));
        Double back = (Double) text(FLOAT8, s);
        assertThat(Double.doubleToLongBits(back)).isEqualTo(Double.doubleToLongBits(v));
        if (Double.isFinite(v) && v != 0) {
            int digits = significantDigits(s);
            if (digits > 1) {
                // No decimal with one digit fewer reads back as v.
                BigDecimal exact = new BigDecimal(v);
                for (java.math.RoundingMode m : java.math.RoundingMode.values()) {
                    if (m == java.math.RoundingMode.UNNECESSARY) {
                        continue;
                    }
                    BigDecimal shorter = exact.round(new MathContext(digits - 1, m));
                    assertThat(Double.parseDouble(shorter.toString())).isNotEqualTo(v);
                }
            }
        }
    }

    @Property(tries = 3000)
    void float4TextIsExact(@ForAll float v) {
        String s = render(FLOAT4, Bin.float4(v));
        Float back = (Float) text(FLOAT4, s);
        assertThat(Float.floatToIntBits(back)).isEqualTo(Float.floatToIntBits(v));
        if (Float.isFinite(v) && v != 0) {
            assertThat(significantDigits(s)).isLessThanOrEqualTo(significantDigits(Float.toString(v)));
        }
    }

    private static int significantDigits(String s) {
        String mantissa = s.replaceFirst("[eE].*", "").replace("-", "").replace(".", "");
        return mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "").length();
    }
}
