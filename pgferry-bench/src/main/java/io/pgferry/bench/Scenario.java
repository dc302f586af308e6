package io.pgferry.bench;

import java.util.Locale;

/**
 * A load whose WAL every consumer streams.
 *
 * @param id short name, also part of the template slot's name
 * @param transactions how many transactions are committed
 * @param rowsPerTransaction rows inserted by each
 */
record Scenario(String id, int transactions, long rowsPerTransaction) {
    static final Scenario ONE_BIG = new Scenario("a", 1, 1_000_000);
    static final Scenario MANY_SMALL = new Scenario("b", 1_000, 1_000);
    static final Scenario HUGE = new Scenario("c", 1, 10_000_000);

    long rows() {
        return transactions * rowsPerTransaction;
    }

    /** "A: 1 tx x 1,000,000 rows". */
    String label() {
        return String.format(
                Locale.ROOT, "%s: %,d tx x %,d rows", id.toUpperCase(Locale.ROOT), transactions, rowsPerTransaction);
    }
}
