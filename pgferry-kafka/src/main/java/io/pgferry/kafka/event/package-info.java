/**
 * What a change becomes as a Kafka record, with no producer in sight: the Debezium-compatible envelope, shared by the
 * Kafka sink and the Connect source connector. Start at {@link io.pgferry.kafka.event.EventRecords} (one change to
 * its records, on {@link io.pgferry.kafka.event.ChangeRecords}' key and tombstone rules); a table's key, topic and
 * column types are its {@link io.pgferry.kafka.event.TableLayout}, values are written by {@code RowJson} and {@code
 * ValueWriter} (JSON) or {@link io.pgferry.kafka.event.ConnectValues} (Connect), with the type mapping in {@link
 * io.pgferry.kafka.event.ConnectType}; topic names come from {@link io.pgferry.kafka.event.Topics}. docs/kafka.md
 * describes the event format.
 */
package io.pgferry.kafka.event;
