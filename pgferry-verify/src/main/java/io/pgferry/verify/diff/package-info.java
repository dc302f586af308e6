/**
 * Comparing two databases with nothing installed: start at {@link io.pgferry.verify.diff.Differ}, configured by
 * {@link io.pgferry.verify.diff.DiffOptions}. {@code TableDiffer} holds the bisection; {@code KeySpace} the SQL over
 * a table's key.
 */
package io.pgferry.verify.diff;
