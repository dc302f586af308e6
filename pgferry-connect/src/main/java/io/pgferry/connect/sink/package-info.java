/**
 * The JDBC sink connector. Start at {@link io.pgferry.connect.sink.PgferryJdbcSinkTask}: each {@code put} decodes
 * change events ({@code ChangeDecoder}, with the column types of {@code FieldTypes}), makes sure their tables exist
 * ({@code TargetTables}), and applies them through pgferry's {@code JdbcSink} with the partitions' offsets in the same
 * destination transaction ({@code OffsetLedger}).
 */
package io.pgferry.connect.sink;
