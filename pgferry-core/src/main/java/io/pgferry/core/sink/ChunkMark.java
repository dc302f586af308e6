package io.pgferry.core.sink;

import java.util.List;

/**
 * How far an initial copy has come through one key-range chunk, committed with the chunk's rows by a sink that keeps
 * copy marks ({@link ChangeSink#commitCopy(ChunkMark)}). A chunk is read in key order, so a chunk cut short resumes
 * after {@code lastKey}.
 *
 * @param relation the source relation the chunk reads, schema-qualified and quoted
 * @param chunk the chunk's number within the relation
 * @param rows the chunk's rows in so far, this batch's included
 * @param lastKey the key of the last row in, one value per key column in the source's text form; null when no row
 *     is. Row values: never logged.
 * @param done whether the chunk is whole
 */
public record ChunkMark(String relation, int chunk, long rows, List<String> lastKey, boolean done) {
    public ChunkMark {
        lastKey = lastKey == null ? null : List.copyOf(lastKey);
    }

    @Override
    public String toString() {
        // The key is a row value.
        return relation + " chunk " + chunk;
    }
}
