/**
 * The sync pipeline, from PostgreSQL to any destination. Start at {@link io.pgferry.engine.SyncEngine}, configured
 * by a {@link io.pgferry.engine.SyncConfig}. It selects the tables ({@link io.pgferry.engine.TableSelector}), reads
 * their definitions ({@link io.pgferry.engine.SourceCatalog}), creates or checks them at the target
 * ({@link io.pgferry.engine.TargetSchema}), copies their rows in parallel from the slot's exported snapshot
 * ({@link io.pgferry.engine.SnapshotCopy}, ranges from {@link io.pgferry.engine.RangePlanner}) or in resumable
 * key-range chunks ({@link io.pgferry.engine.ChunkedCopy}, chunks from {@link io.pgferry.engine.ChunkPlanner}, read
 * from the source or a standby, {@link io.pgferry.engine.CopySource}), then applies the
 * stream in grouped transactions ({@link io.pgferry.engine.ApplyHandler}) through a
 * {@link io.pgferry.jdbc.JdbcSink}. {@link io.pgferry.engine.SyncStatus} reads what a sync recorded at its target.
 *
 * <p>The other destinations go through the same stream and applier: {@link io.pgferry.engine.ForeignSync} for
 * MySQL/MariaDB, SQLite and SQL Server (the initial copy converted row by row, {@link io.pgferry.engine.ForeignCopy}),
 * {@link io.pgferry.engine.KafkaSync} for Kafka; the engine picks one by the target's URI.
 */
package io.pgferry.engine;
