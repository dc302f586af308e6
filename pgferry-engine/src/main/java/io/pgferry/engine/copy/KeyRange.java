package io.pgferry.engine.copy;

import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import java.util.List;
import java.util.stream.Stream;

/**
 * A chunk of {@link io.pgferry.engine.config.CopyMode#CHUNKED}: the rows of one relation whose primary key is at least
 * {@code lower} and below {@code upper}, compared as a row in key column order ({@code (k1, k2) >= (v1, v2)}, the btree
 * order an index scan of the key follows); a null bound is open. A chunk cut short after some of its batches were
 * committed ({@link CopyChunks.Chunk#after}) starts after the last key committed. The chunks of a relation are consecutive, the first
 * open below and the last open above, so they hold every row once whatever keys exist when each is copied.
 *
 * @param keyTypes the source type of each key column, as {@code format_type} prints it with only pg_catalog on the
 *     search path (so schema-qualified where it is not a built-in type)
 */
record KeyRange(SourceTable table, SourceTable.Leaf leaf, CopyChunks.Chunk chunk, List<String> keyTypes)
        implements CopyWorkers.RowRange {

    /**
     * The WHERE clause of the chunk and the table's row filter, or empty for one open at both ends without one. The bounds are written into the statement
     * as literals because {@code COPY (query) TO STDOUT} takes no parameters; each is quoted by doubling its quotes,
     * which is exact with standard_conforming_strings on (the copy sets it), and cast to the key's type.
     */
    @Override
    public String predicate() {
        // A chunk cut short goes on after the last key it committed; the replay covers what changed below it.
        String lower = chunk.after() != null
                ? keyColumns() + " > " + bound(chunk.after())
                : chunk.lower() == null ? "" : keyColumns() + " >= " + bound(chunk.lower());
        String upper = chunk.upper() == null ? "" : keyColumns() + " < " + bound(chunk.upper());
        return table.where(Stream.of(lower, upper).filter(b -> !b.isEmpty()).toList());
    }

    /** The ORDER BY clause of the key: a chunk that commits in batches is read in the order its marks follow. */
    String orderBy() {
        StringBuilder s = new StringBuilder(" ORDER BY ");
        List<String> key = table.primaryKey();
        for (int i = 0; i < key.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(PgSql.quote(key.get(i)));
        }
        return s.toString();
    }

    /** This chunk, as stored at the destination now: after a failure, resumed where its marks say. */
    KeyRange at(CopyChunks.Chunk stored) {
        return new KeyRange(table, leaf, stored, keyTypes);
    }

    private String keyColumns() {
        List<String> key = table.primaryKey();
        if (key.size() == 1) {
            return PgSql.quote(key.get(0));
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < key.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(PgSql.quote(key.get(i)));
        }
        return s.append(')').toString();
    }

    private String bound(List<String> values) {
        StringBuilder s = new StringBuilder(values.size() == 1 ? "" : "(");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "" : ", ")
                    .append('\'')
                    .append(values.get(i).replace("'", "''"))
                    .append("'::")
                    .append(keyTypes.get(i));
        }
        return s.append(values.size() == 1 ? "" : ")").toString();
    }

    @Override
    public String toString() {
        // The bounds are row values: never printed.
        return chunk.toString();
    }
}
