/**
 * The Kafka sink: changes as Debezium-compatible events, one topic per table, delivered exactly once through Kafka
 * transactions (or at least once) with the sync's position in a compacted offsets topic. Start at {@link
 * io.pgferry.kafka.KafkaSink} and its configuration {@link io.pgferry.kafka.KafkaTarget}; the events are made by
 * {@code EventRecords} (envelope), {@code RowJson} and {@code ValueWriter} (values), {@code ConnectType} (type
 * mapping); the position lives in {@code OffsetStore}. docs/kafka.md describes the topics and the event format.
 */
package io.pgferry.kafka;
