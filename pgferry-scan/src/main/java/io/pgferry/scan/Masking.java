package io.pgferry.scan;

/**
 * The masked sample a finding carries in place of the value: the first 2 and last 2 characters, every other one a
 * {@code *}; a value under 8 characters is all {@code *}. Counted in code points, so no character is ever split.
 */
public final class Masking {
    private static final int SHOWN = 2;
    private static final int MIN_TO_SHOW = 8;

    private Masking() {}

    public static String sample(String value) {
        int n = value.codePointCount(0, value.length());
        StringBuilder b = new StringBuilder(n);
        if (n < MIN_TO_SHOW) {
            return "*".repeat(n);
        }
        int headEnd = value.offsetByCodePoints(0, SHOWN);
        int tailStart = value.offsetByCodePoints(value.length(), -SHOWN);
        b.append(value, 0, headEnd);
        b.append("*".repeat(n - 2 * SHOWN));
        b.append(value, tailStart, value.length());
        return b.toString();
    }
}
