/**
 * The Kafka sink: changes delivered exactly once through Kafka transactions (or at least once), one topic per table,
 * with the sync's position in a compacted offsets topic. Start at {@link io.pgferry.kafka.KafkaSink} and its
 * configuration {@link io.pgferry.kafka.KafkaTarget} (parsed from a target URI by {@code KafkaUri}); the position
 * lives in {@code OffsetStore}, read back by {@link io.pgferry.kafka.KafkaPositions}, and the per-table states in
 * {@link io.pgferry.kafka.KafkaTableStates}. What a change becomes as a record is {@link io.pgferry.kafka.event}.
 * docs/kafka.md describes the topics and delivery modes.
 */
package io.pgferry.kafka;
