package io.pgferry.verify.diff;

import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.util.List;

/**
 * What {@link Differ} compares.
 *
 * @param tables the tables; empty for every table with a primary key in the source's own schemas
 * @param factor how many sub-segments a differing segment is split into
 * @param threshold a differing segment with at most this many rows (on the larger side) is compared row by row
 * @param maxRows stop after reporting this many differing rows of a table
 */
public record DiffOptions(Dsn source, Dsn target, List<TableName> tables, int factor, int threshold, int maxRows) {
    public DiffOptions {
        tables = List.copyOf(tables);
        if (factor < 2) {
            throw new IllegalArgumentException("factor must be 2 or more");
        }
        if (threshold < 1 || maxRows < 1) {
            throw new IllegalArgumentException("threshold and maxRows must be positive");
        }
    }

    public static DiffOptions defaults(Dsn source, Dsn target) {
        return new DiffOptions(source, target, List.of(), 32, 1000, 1000);
    }

    public DiffOptions withTables(List<TableName> t) {
        return new DiffOptions(source, target, t, factor, threshold, maxRows);
    }
}
