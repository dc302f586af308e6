package io.pgferry.core.sink;

/**
 * A range of an initial copy, as a sink that keeps copy marks knows it ({@link ChangeSink#commitCopy(CopyRangeId,
 * long)}): a source relation and the first block of the range. Blocks are positions in the source's files, not row
 * values, so a mark may be logged and stored.
 *
 * @param relation the source relation the range reads, schema-qualified and quoted
 * @param fromBlock the range's first block
 */
public record CopyRangeId(String relation, long fromBlock) {
    @Override
    public String toString() {
        return relation + " from block " + fromBlock;
    }
}
