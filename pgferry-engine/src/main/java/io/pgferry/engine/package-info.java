/**
 * The sync pipeline, from PostgreSQL to any destination. Start at {@link io.pgferry.engine.SyncEngine}, configured
 * by a {@link io.pgferry.engine.config.SyncConfig}. It selects the tables ({@link io.pgferry.engine.TableSelector}),
 * reads their definitions and creates or checks them at the target ({@link io.pgferry.engine.schema}), copies their
 * rows ({@link io.pgferry.engine.copy}), then applies the stream in grouped transactions
 * ({@link io.pgferry.engine.ApplyHandler}) through a {@link io.pgferry.jdbc.JdbcSink}, following the source's DDL
 * ({@link io.pgferry.engine.SchemaWatch}). A restart takes the tables the sync began with ({@link
 * io.pgferry.engine.ResumedTables}) and, at a SQL destination, adds those matched since ({@link
 * io.pgferry.engine.AddedTables}). {@link io.pgferry.engine.SyncStatus} reads what a sync recorded at its target.
 *
 * <p>Each destination's run is a class of its own, going through the same stream and applier: {@link
 * io.pgferry.engine.PostgresSync} for PostgreSQL, {@link io.pgferry.engine.ForeignSync} for MySQL/MariaDB, SQLite and
 * SQL Server, {@link io.pgferry.engine.KafkaSync} for Kafka; the engine picks one by the target's URI.
 *
 * <p>Sub-packages depend on each other one way only: {@code config} on nothing here, {@code schema} on {@code
 * config}, {@code copy} on both, and this package on all three.
 */
package io.pgferry.engine;
