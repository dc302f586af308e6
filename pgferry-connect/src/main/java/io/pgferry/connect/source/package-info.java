/**
 * The Kafka Connect source connector. Start at {@link io.pgferry.connect.source.PgferrySourceConnector} (configuration
 * in {@code SourceConfig}, validation against the source in its {@code validate}); the task, {@link
 * io.pgferry.connect.source.PgferrySourceTask}, runs the change stream and turns each transaction into records in
 * {@code Reading} (records made by {@code StructEvents} with the schemas of {@code TableSchemas}), with offsets from
 * {@code Offsets} and acknowledgements to the slot from {@code Acknowledgements}.
 */
package io.pgferry.connect.source;
