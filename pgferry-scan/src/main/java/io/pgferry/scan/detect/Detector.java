package io.pgferry.scan.detect;

/**
 * Finds sensitive values in one string: the unit every rule runs, built in or custom. A custom detector plugs in
 * through {@link DetectorProvider} and is named by a rule's {@code builtin} field.
 *
 * <p>Contract: {@link #find} reports every match, in increasing start order, without overlaps; it must run in time
 * linear in the length of {@code value} (a crafted value must never hang the scanner), must not keep or log the value,
 * and must be safe to call from several threads at once (a scanner shares one instance between its workers).
 */
@FunctionalInterface
public interface Detector {
    /**
     * Reports each match as the half-open range {@code [start, end)} of {@code value}.
     *
     * @param value never null
     */
    void find(String value, Matches out);

    /** Receives the matches of one {@link #find} call. */
    @FunctionalInterface
    interface Matches {
        void match(int start, int end);
    }
}
