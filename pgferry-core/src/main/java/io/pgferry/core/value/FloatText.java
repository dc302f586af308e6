package io.pgferry.core.value;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * float4 and float8 text output as PostgreSQL 12 and later print it with extra_float_digits of 1 or more (the
 * default): the shortest decimal that reads back as the same value (src/common/d2s.c, f2s.c), in fixed notation when
 * its decimal exponent is in -4..14 for float8 or -4..5 for float4, else as {@code d.ddde+XX} with a signed exponent
 * of at least two digits; and {@code NaN}, {@code Infinity}, {@code -Infinity}, {@code -0}.
 *
 * <p>Java 17's {@link Double#toString(double)} is not always shortest, so the digits are found here: for p digits
 * the candidates are the exact binary value rounded to p significant digits half-even, down and up; the shortest p
 * for which one reads back exactly wins, and among its candidates the one closest to the exact value (as Ryu picks).
 * Whether some p-digit decimal reads back is monotone in p, so p is found by bisection.
 */
final class FloatText {
    private static final RoundingMode[] MODES = {RoundingMode.HALF_EVEN, RoundingMode.FLOOR, RoundingMode.CEILING};

    private FloatText() {}

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(v);
        int lo = 1;
        int hi = 17;
        BigDecimal best = shortest(exact, hi, v, false);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            BigDecimal c = shortest(exact, mid, v, false);
            if (c != null) {
                best = c;
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return layout(best, 15);
    }

    static String format(float v) {
        if (Float.isNaN(v)) {
            return "NaN";
        }
        if (Float.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return Float.floatToRawIntBits(v) < 0 ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal((double) v);
        int lo = 1;
        int hi = 9;
        BigDecimal best = shortest(exact, hi, v, true);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            BigDecimal c = shortest(exact, mid, v, true);
            if (c != null) {
                best = c;
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return layout(best, 6);
    }

    /** The candidate of p significant digits closest to exact that reads back as v, or null. */
    private static BigDecimal shortest(BigDecimal exact, int p, double v, boolean single) {
        BigDecimal best = null;
        BigDecimal bestDistance = null;
        for (RoundingMode mode : MODES) {
            BigDecimal c = exact.round(new MathContext(p, mode));
            String s = c.toString();
            boolean same = single ? Float.parseFloat(s) == (float) v : Double.parseDouble(s) == v;
            if (same) {
                BigDecimal d = c.subtract(exact).abs();
                if (bestDistance == null || d.compareTo(bestDistance) < 0) {
                    best = c;
                    bestDistance = d;
                }
            }
        }
        return best;
    }

    /** Writes digits in fixed notation when the decimal exponent is in -4..(fixedLimit - 1), else exponential. */
    private static String layout(BigDecimal value, int fixedLimit) {
        BigDecimal v = value.stripTrailingZeros();
        String digits = v.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - v.scale();
        StringBuilder sb = new StringBuilder(digits.length() + 8);
        if (v.signum() < 0) {
            sb.append('-');
        }
        if (exponent >= -4 && exponent < fixedLimit) {
            if (exponent < 0) {
                sb.append("0.");
                sb.append("0".repeat(-exponent - 1)).append(digits);
            } else if (digits.length() <= exponent + 1) {
                sb.append(digits).append("0".repeat(exponent + 1 - digits.length()));
            } else {
                sb.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        }
        return sb.toString();
    }
}
