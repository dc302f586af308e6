package io.pgferry.engine.copy;

import io.pgferry.engine.schema.SourceTable;
import java.util.List;

/**
 * A copy worker's unit of work, from the one queue its workers share: rows to copy (a block range of the snapshot
 * copy, a key-range chunk of the chunked copy), an index to build on a table whose rows are all in, or the attach
 * list of a table whose indexes are all built ({@link PostDataTasks} says which comes when).
 *
 * @param <R> the copy's kind of range
 */
sealed interface WorkerTask<R> {
    /** Rows to copy. */
    record Rows<R>(R range) implements WorkerTask<R> {}

    /** One index of {@code table}, built while other workers copy or build. */
    record Index<R>(SourceTable table, String ddl) implements WorkerTask<R> {}

    /**
     * What needs {@code table}'s indexes and takes its lock (the key made from its index, checks, sequences), run in
     * order on one session; other tables' copies and builds go on meanwhile.
     */
    record Attach<R>(SourceTable table, List<String> ddl) implements WorkerTask<R> {}
}
