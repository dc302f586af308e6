/**
 * Destinations other than PostgreSQL (MySQL, MariaDB, SQLite, SQL Server), applied through the sink of
 * {@link io.pgferry.jdbc}. Start at {@link io.pgferry.jdbc.foreign.JdbcTargetUri}, which parses a target URI into a
 * {@link io.pgferry.jdbc.foreign.JdbcTarget} (how to connect, and which dialect applies), and at
 * {@link io.pgferry.jdbc.foreign.ForeignDialect}, what such a destination adds to a {@link io.pgferry.jdbc.Dialect}:
 * its implementations {@link io.pgferry.jdbc.foreign.MySqlDialect}, {@link io.pgferry.jdbc.foreign.SqliteDialect}
 * and {@link io.pgferry.jdbc.foreign.SqlServerDialect}. PostgreSQL types are mapped by {@code PgType} with
 * {@code MySqlTypes}, {@code SqliteTypes} and {@code SqlServerTypes}, and values converted by {@code ValueConverter}
 * under the sync's {@link io.pgferry.jdbc.Unrepresentable} policy; {@code MultiRowInsert} and {@code LoadDataText}
 * write runs of rows. docs/destinations.md documents the mapping.
 */
package io.pgferry.jdbc.foreign;
