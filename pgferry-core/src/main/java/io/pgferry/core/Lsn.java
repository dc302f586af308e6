package io.pgferry.core;

import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL write-ahead log position (pg_lsn), an unsigned 64-bit byte offset into the WAL.
 *
 * <p>Text form is two hexadecimal halves separated by a slash, as PostgreSQL prints it ({@code 16/B374D848}). See
 * the PostgreSQL docs, "pg_lsn Type".
 */
public record Lsn(long value) implements Comparable<Lsn> {
    /** InvalidXLogRecPtr: "no position". */
    public static final Lsn INVALID = new Lsn(0);

    private static final byte[] DIGITS = "0123456789ABCDEF".getBytes(StandardCharsets.ISO_8859_1);

    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /**
     * Parses the {@code X/Y} form.
     *
     * @throws IllegalArgumentException naming the bad text and the expected form
     */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException(
                    "invalid LSN '" + text + "': expected two hexadecimal halves like 16/B374D848");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            return of((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "invalid LSN '" + text + "': expected two hexadecimal halves like 16/B374D848", e);
        }
    }

    public boolean isValid() {
        return value != 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static Lsn min(Lsn a, Lsn b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * The {@code X/Y} form: upper-case hexadecimal halves without leading zeros, as PostgreSQL prints it. Built by
     * hand rather than with {@code String.format}, which is costly for a string written on every JSON line.
     */
    @Override
    public String toString() {
        byte[] text = new byte[17];
        int end = hex(text, 0, (int) (value >>> 32));
        text[end++] = '/';
        end = hex(text, end, (int) value);
        return new String(text, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** Writes the unsigned 32-bit {@code half} at {@code at}; returns the position after its last digit. */
    private static int hex(byte[] out, int at, int half) {
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(half) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = DIGITS[half & 0xF];
            half >>>= 4;
        }
        return at + digits;
    }
}
