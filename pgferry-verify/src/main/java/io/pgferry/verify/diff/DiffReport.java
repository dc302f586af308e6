package io.pgferry.verify.diff;

import io.pgferry.verify.inspect.RowDiff;
import java.util.List;

/**
 * What {@link Differ} found. In each {@link RowDiff}, "publisher" is the source and "subscriber" the target:
 * {@code MISSING_ON_SUBSCRIBER} is a row missing on the target, {@code MISSING_ON_PUBLISHER} one the target has in
 * excess.
 */
public record DiffReport(List<TableDiff> tables) {

    /**
     * One table.
     *
     * @param truncated more rows differ than were reported (the options' maxRows)
     * @param queries statements run on each side
     * @param problems why the table could not be compared (then nothing else is set)
     */
    public record TableDiff(
            String schema,
            String table,
            long sourceRows,
            long targetRows,
            List<RowDiff> rows,
            boolean truncated,
            int queries,
            List<String> problems) {}

    public long differences() {
        return tables.stream().mapToLong(t -> t.rows().size()).sum();
    }

    public boolean comparable() {
        return tables.stream().allMatch(t -> t.problems().isEmpty());
    }
}
