package io.pgferry.core.value;

/** Lower-case hexadecimal digits, as PostgreSQL prints them. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    static void appendByte(StringBuilder sb, byte b) {
        sb.append(DIGITS[(b >> 4) & 0xF]).append(DIGITS[b & 0xF]);
    }

    /** The value of one hex digit of either case. */
    static int digit(char c) {
        int d = Character.digit(c, 16);
        if (d < 0 || c > 'f') {
            throw new BadValueException("expected a hex digit");
        }
        return d;
    }
}
