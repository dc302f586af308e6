package io.pgferry.core.value;

/**
 * The non-finite values PostgreSQL allows for some types, which no exact Java value of the type's mapping can hold:
 * numeric {@code NaN}, {@code Infinity} and {@code -Infinity}, and {@code infinity} / {@code -infinity} for date,
 * timestamp, timestamptz and (PostgreSQL 17 and later) interval.
 */
public enum Special {
    NAN,
    POSITIVE_INFINITY,
    NEGATIVE_INFINITY
}
