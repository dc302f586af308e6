/**
 * The JDBC sink: applies source transactions to a database through a {@link io.pgferry.jdbc.Dialect}, storing the
 * applied source position in the same transaction as the data. Start at {@link io.pgferry.jdbc.JdbcSink}; the
 * position record and the per-table states live in {@link io.pgferry.jdbc.SyncCatalog}.
 */
package io.pgferry.jdbc;
