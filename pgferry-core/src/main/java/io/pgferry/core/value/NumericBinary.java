package io.pgferry.core.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * numeric's binary form (src/backend/utils/adt/numeric.c, numeric_send): int16 ndigits, int16 weight, uint16 sign,
 * uint16 dscale, then ndigits base-10000 digits, most significant first. The value is the digits times
 * 10000^(weight - ndigits + 1); dscale is the number of decimal places the server prints. The sign word is 0x0000
 * (positive), 0x4000 (negative), 0xC000 (NaN), 0xD000 (Infinity) or 0xF000 (-Infinity, PostgreSQL 14 and later).
 */
final class NumericBinary {
    static final int POSITIVE = 0x0000;
    static final int NEGATIVE = 0x4000;
    static final int NAN = 0xC000;
    static final int PINF = 0xD000;
    static final int NINF = 0xF000;
    private static final int DSCALE_MAX = 0x3FFF;

    private NumericBinary() {}

    /** A {@link BigDecimal} whose scale is the display scale, or a {@link Special}. */
    static Object decode(BinaryReader r) {
        int ndigits = r.readShort();
        int weight = r.readShort();
        int sign = r.readUnsignedShort();
        int dscale = r.readUnsignedShort();
        if (ndigits < 0 || dscale > DSCALE_MAX) {
            throw new BadValueException("numeric with a negative digit count or a display scale above 16383");
        }
        switch (sign) {
            case NAN:
                return Special.NAN;
            case PINF:
                return Special.POSITIVE_INFINITY;
            case NINF:
                return Special.NEGATIVE_INFINITY;
            case POSITIVE:
            case NEGATIVE:
                break;
            default:
                throw new BadValueException("numeric with an unknown sign word " + Integer.toHexString(sign));
        }
        char[] decimal = new char[ndigits * 4];
        for (int i = 0; i < ndigits; i++) {
            int d = r.readShort();
            if (d < 0 || d > 9999) {
                throw new BadValueException("numeric digit outside 0..9999");
            }
            for (int j = 3; j >= 0; j--) {
                decimal[i * 4 + j] = (char) ('0' + d % 10);
                d /= 10;
            }
        }
        BigInteger unscaled = ndigits == 0 ? BigInteger.ZERO : new BigInteger(new String(decimal));
        BigDecimal v = new BigDecimal(unscaled, -4 * (weight - ndigits + 1));
        // The server prints exactly dscale decimals, truncating (get_str_from_var); digits beyond are zero anyway.
        v = v.setScale(dscale, RoundingMode.DOWN);
        return sign == NEGATIVE ? v.negate() : v;
    }
}
