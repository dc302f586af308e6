package io.pgferry.kafka;

/**
 * One record to send.
 *
 * @param key null for an event without a key (a table without one, a TRUNCATE)
 * @param value null for a tombstone
 */
record OutRecord(String topic, byte[] key, byte[] value) {}
