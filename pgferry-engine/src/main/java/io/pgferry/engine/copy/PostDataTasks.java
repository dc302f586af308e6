package io.pgferry.engine.copy;

import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.TableName;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When each table's post data may run, as tasks for the copy workers' queue: its indexes once its rows are all in,
 * its attach list once its last index is built. So a table gets its key and constraints on a worker's session while
 * the other tables are still copied, instead of on new sessions after every table is done. Thread-safe: workers
 * report the rows and the builds they finish concurrently.
 *
 * @param <R> the copy's kind of range
 */
final class PostDataTasks<R> {
    private final Map<TableName, PostData> post;
    /** Per table with post data: the index builds not finished yet. Built once, then only counted down. */
    private final Map<TableName, AtomicInteger> indexesLeft = new HashMap<>();

    PostDataTasks(Map<TableName, PostData> post) {
        this.post = post;
        post.forEach((table, p) ->
                indexesLeft.put(table, new AtomicInteger(p.indexes().size())));
    }

    /** How many tasks {@code table}'s post data makes: one per index, and one for its attach list if it has one. */
    int count(SourceTable table) {
        PostData p = post.get(table.name());
        return p == null ? 0 : p.indexes().size() + (p.attach().isEmpty() ? 0 : 1);
    }

    /** What to queue once all of {@code table}'s rows are in: its index builds, or its attach list if it has none. */
    List<WorkerTask<R>> rowsDone(SourceTable table) {
        PostData p = post.get(table.name());
        if (p == null) {
            return List.of();
        }
        if (p.indexes().isEmpty()) {
            return attach(table, p);
        }
        return p.indexes().stream()
                .<WorkerTask<R>>map(ddl -> new WorkerTask.Index<>(table, ddl))
                .toList();
    }

    /** What to queue once one of {@code table}'s index builds ended: its attach list, after the last of them. */
    List<WorkerTask<R>> indexBuilt(SourceTable table) {
        return indexesLeft.get(table.name()).decrementAndGet() == 0 ? attach(table, post.get(table.name())) : List.of();
    }

    private List<WorkerTask<R>> attach(SourceTable table, PostData p) {
        return p.attach().isEmpty() ? List.of() : List.of(new WorkerTask.Attach<>(table, p.attach()));
    }
}
