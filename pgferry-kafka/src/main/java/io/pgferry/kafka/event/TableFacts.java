package io.pgferry.kafka.event;

import java.util.List;
import java.util.Map;

/**
 * What the source's catalog says of a table beyond its Relation message, for the schemas of its records.
 *
 * @param primaryKey the primary key columns, or null when unknown: the key of a table with REPLICA IDENTITY FULL, whose
 *     Relation flags every column (see {@link TableLayout})
 * @param missingValues by column, PostgreSQL's text of what the rows the table held when the column was added read in
 *     it (see {@code MissingValues} in pgferry-postgres); a sink that adds the column gives them that value
 */
public record TableFacts(List<String> primaryKey, Map<String, String> missingValues) {
    /** Nothing known beyond the Relation. */
    public static final TableFacts NONE = new TableFacts(null, Map.of());

    public TableFacts {
        missingValues = Map.copyOf(missingValues);
    }
}
