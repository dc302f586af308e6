package io.pgferry.engine.copy;

import io.pgferry.engine.schema.SourceTable;

/**
 * A part of one relation's rows, by block number: {@code [fromBlock, toBlock)}, or from {@code fromBlock} to the end
 * when {@code toBlock} is -1. The last range of a relation is always open-ended, so rows in blocks added after the
 * sizes were read are still copied.
 */
record CopyRange(SourceTable table, SourceTable.Leaf leaf, long fromBlock, long toBlock)
        implements CopyWorkers.RowRange {

    /**
     * The WHERE clause selecting the range by ctid (a TID range scan, PostgreSQL 14 and later), or empty for a whole
     * relation.
     */
    @Override
    public String predicate() {
        String from = fromBlock > 0 ? "ctid >= '(" + fromBlock + ",0)'::tid" : "";
        String to = toBlock >= 0 ? "ctid < '(" + toBlock + ",0)'::tid" : "";
        if (from.isEmpty() && to.isEmpty()) {
            return "";
        }
        return " WHERE " + (from.isEmpty() ? to : to.isEmpty() ? from : from + " AND " + to);
    }

    @Override
    public String toString() {
        return leaf.qualified() + " blocks " + fromBlock + ".." + (toBlock < 0 ? "end" : toBlock);
    }
}
