/**
 * The initial copy. {@link io.pgferry.engine.copy.SnapshotCopy} copies in parallel from the slot's exported snapshot
 * (ranges from {@link io.pgferry.engine.copy.RangePlanner}); {@link io.pgferry.engine.copy.ChunkedCopy} copies in
 * resumable key-range chunks (from {@link io.pgferry.engine.copy.ChunkPlanner}), read from the source or a standby
 * ({@link io.pgferry.engine.copy.CopySource}), their plan kept by {@link io.pgferry.engine.copy.ChunkPlan}. For
 * destinations other than PostgreSQL, {@link io.pgferry.engine.copy.ForeignCopy} (snapshot) and {@link
 * io.pgferry.engine.copy.ForeignChunkedCopy} (chunks) convert rows through a sink, in committed batches that carry
 * their marks ({@code RowBatches}). Rows go through {@link io.pgferry.engine.copy.CopyPipe}, masked on the way by
 * {@link io.pgferry.engine.copy.Masks}, and each copy reports to a {@link io.pgferry.engine.copy.CopyProgress}. The
 * two PostgreSQL copies run the same workers ({@code CopyWorkers}, each copy a {@code CopyWorkers.Mode}) over one
 * queue of {@code WorkerTask}s: rows, then each table's indexes and attach list when {@code PostDataTasks} says they
 * may run; a task that fails for a reason that passes runs again on new sessions ({@code CopyRetry}).
 */
package io.pgferry.engine.copy;
