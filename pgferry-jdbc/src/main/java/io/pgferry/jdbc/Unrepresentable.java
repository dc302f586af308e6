package io.pgferry.jdbc;

import java.util.Locale;

/**
 * What a destination does with a value its type mapping cannot hold: numeric NaN or infinity in a DECIMAL column, a
 * float NaN or infinity where the destination has none, a date or timestamp outside its range (PostgreSQL's
 * {@code ±infinity} among them), a key longer than its index allows. Never silent by default.
 */
public enum Unrepresentable {
    /** Stop with the table, column, key and source position named (the default). */
    ERROR,
    /** Write NULL instead (a key column still stops: a key cannot be NULL). */
    NULL,
    /**
     * Write the nearest value the destination can hold: the largest or smallest date, timestamp or decimal of the
     * column's type for an infinity or an out-of-range value, a key cut to the index limit; NaN becomes NULL.
     */
    CLAMP;

    /** The policy named {@code name} ({@code error}, {@code null}, {@code clamp}), case-insensitive. */
    public static Unrepresentable of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown policy for unrepresentable values: " + name + " (use error, null or clamp)", e);
        }
    }
}
