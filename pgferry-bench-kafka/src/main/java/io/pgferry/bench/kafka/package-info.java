/**
 * The Kafka benchmark: {@code pgferry sync} into Kafka (exactly-once and at-least-once) against Debezium's embedded
 * engine with its PostgreSQL connector writing to the same broker, each from its own copy of one replication slot
 * ({@link io.pgferry.bench.kafka.KafkaBenchmark}, run by {@code scripts/bench-kafka.sh}). Built only with the
 * {@code bench-kafka} Maven profile, so Debezium stays out of every other module.
 */
package io.pgferry.bench.kafka;
