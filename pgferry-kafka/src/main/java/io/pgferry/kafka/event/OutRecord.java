package io.pgferry.kafka.event;

/**
 * One record to send.
 *
 * @param key null for an event without a key (a table without one, a TRUNCATE)
 * @param value null for a tombstone
 * @param unchangedToast the value of header {@link UnchangedToast#HEADER}, or null for no such header
 */
public record OutRecord(String topic, byte[] key, byte[] value, byte[] unchangedToast) {
    public OutRecord(String topic, byte[] key, byte[] value) {
        this(topic, key, value, null);
    }
}
