/**
 * The JDBC sink: applies source transactions to a database through a {@link io.pgferry.jdbc.Dialect}, storing the
 * applied source position in the same transaction as the data. Start at {@link io.pgferry.jdbc.JdbcSink}; the
 * position record and the per-table states live in {@link io.pgferry.jdbc.SyncCatalog}. This package holds the apply
 * path and the PostgreSQL destination ({@link io.pgferry.jdbc.PostgresDialect}); the other destinations (MySQL,
 * MariaDB, SQLite, SQL Server), their type mappings and target URIs are in {@link io.pgferry.jdbc.foreign}.
 */
package io.pgferry.jdbc;
