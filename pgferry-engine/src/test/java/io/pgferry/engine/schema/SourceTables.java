package io.pgferry.engine.schema;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.catalog.TableName;
import java.util.List;

/** Source tables for tests of the parts that read only names, sizes and leaves: no columns, keys or constraints. */
public final class SourceTables {
    private SourceTables() {}

    /** Table {@code public.name}, printed as {@code printed}, with {@code leaves}, read at {@code readAt}. */
    public static SourceTable bare(
            String name, long oid, String printed, List<SourceTable.Leaf> leaves, long bytes, Lsn readAt) {
        return new SourceTable(
                new TableName("public", name),
                oid,
                printed,
                'd',
                null,
                List.of(),
                List.of(),
                leaves,
                List.of(),
                List.of(),
                bytes,
                0,
                readAt,
                null);
    }
}
