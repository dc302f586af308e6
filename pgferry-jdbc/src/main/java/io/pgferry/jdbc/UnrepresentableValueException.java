package io.pgferry.jdbc;

import io.pgferry.core.event.Column;

/**
 * A value the destination cannot hold (numeric NaN in a DECIMAL column, an infinite timestamp, a key longer than the
 * destination's index allows) under the policy {@link Unrepresentable#ERROR}. The message names the column and the
 * problem, never the value; the sink adds the table, key and source position.
 */
public final class UnrepresentableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Column column;

    public UnrepresentableValueException(Column column, String problem) {
        super(problem);
        this.column = column;
    }

    /** The column whose value could not be written. */
    public Column column() {
        return column;
    }
}
