package io.pgferry.core.sink;

import io.pgferry.core.event.Relation;
import io.pgferry.core.value.TypeResolver;

/**
 * Rewrites column values on their way to any destination (redact, partial mask, keyed hash, fixed value, or
 * whatever an implementation chooses), in the initial copy and in the stream alike, so that no sink ever sees the
 * original. It works on PostgreSQL's text output of a value, the one form every path has.
 *
 * <p>Contract: a pure, deterministic function of the value and the mask's configuration: the same value is masked
 * the same way in the copy, in every change, in the old row image that locates a row under REPLICA IDENTITY FULL, and
 * after a restart. Thread-safe: copy workers and the apply thread call it at once. It must never log a value.
 */
@FunctionalInterface
public interface ValueMask {
    /** Masks nothing. */
    ValueMask NONE = (relation, types) -> null;

    /**
     * How the columns of a table are masked, or null when none is. Called once per table and per change of its
     * shape; {@code relation}'s columns are in the order values come in.
     *
     * @param types resolves the columns' type OIDs (domains and the like); may return null for unknown types
     */
    TableMask of(Relation relation, TypeResolver types);

    /** The masks of one table's columns. */
    interface TableMask {
        /** Whether column {@code column} is rewritten. */
        boolean masks(int column);

        /**
         * The masked text of a value of column {@code column} ({@link #masks} true), never null in; null out makes
         * the value NULL.
         */
        String apply(int column, String text);

        /**
         * Whether the column's mask can map two values to one (a partial mask, a fixed value): such a mask on a key
         * or unique column would merge rows, so a sync refuses it at start. A keyed hash is not lossy.
         */
        boolean lossy(int column);
    }
}
