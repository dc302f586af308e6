package io.pgferry.engine.copy;

import io.pgferry.engine.schema.SourceTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A part of one relation's rows, by block number: {@code [fromBlock, toBlock)}, or from {@code fromBlock} to the end
 * when {@code toBlock} is -1. The last range of a relation is always open-ended, so rows in blocks added after the
 * sizes were read are still copied.
 */
record CopyRange(SourceTable table, SourceTable.Leaf leaf, long fromBlock, long toBlock)
        implements CopyWorkers.RowRange {

    /**
     * The WHERE clause selecting the range by ctid (a TID range scan, PostgreSQL 14 and later) and the table's row
     * filter, or empty for a whole relation without one.
     */
    @Override
    public String predicate() {
        List<String> bounds = new ArrayList<>(2);
        if (fromBlock > 0) {
            bounds.add("ctid >= '(" + fromBlock + ",0)'::tid");
        }
        if (toBlock >= 0) {
            bounds.add("ctid < '(" + toBlock + ",0)'::tid");
        }
        return table.where(bounds);
    }

    @Override
    public String toString() {
        return leaf.qualified() + " blocks " + fromBlock + ".." + (toBlock < 0 ? "end" : toBlock);
    }
}
