package io.pgferry.core.value;

/**
 * An interval as PostgreSQL stores it: months, days and microseconds, kept apart because their lengths vary (a month
 * is not a fixed number of days, nor a day of hours across a DST change). Equality is field by field, as the fields
 * are what the server stored: {@code 1 mon} and {@code 30 days} are different values here.
 *
 * <p>PostgreSQL 17's {@code infinity} and {@code -infinity} intervals are not instances of this record but
 * {@link Special#POSITIVE_INFINITY} / {@link Special#NEGATIVE_INFINITY}.
 */
public record PgInterval(int months, int days, long microseconds) {
    /**
     * The value in IntervalStyle {@code postgres} (the default), exactly as PostgreSQL prints it, for example
     * {@code 1 year 2 mons 3 days 04:05:06.789}, {@code -1 days +01:00:00} or {@code 00:00:00}.
     */
    @Override
    public String toString() {
        return IntervalText.format(this);
    }

    /**
     * Parses PostgreSQL's interval output in IntervalStyle {@code postgres}, {@code postgres_verbose} or
     * {@code iso_8601}.
     *
     * @throws IllegalArgumentException for other text, and for {@code infinity} (see {@link Special})
     */
    public static PgInterval parse(String text) {
        Object v = IntervalText.parse(text);
        if (v instanceof PgInterval i) {
            return i;
        }
        throw new BadValueException("infinite interval has no PgInterval form");
    }
}
