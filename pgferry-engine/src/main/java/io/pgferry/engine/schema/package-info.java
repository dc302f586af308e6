/**
 * Table definitions on both sides. Start at {@link io.pgferry.engine.schema.SourceCatalog}, which reads the source's
 * tables ({@link io.pgferry.engine.schema.SourceTable}, columns as {@link io.pgferry.engine.schema.ColumnDef});
 * {@link io.pgferry.engine.schema.TargetSchema} creates or checks them at a PostgreSQL target, {@link
 * io.pgferry.engine.schema.PostData} builds keys, indexes and constraints after the copy; {@link io.pgferry.engine.schema.SequenceSync} carries sequence values over.
 */
package io.pgferry.engine.schema;
