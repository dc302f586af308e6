package io.pgferry.connect.source;

import io.pgferry.core.event.ChangeEvent;
import java.time.Instant;
import org.apache.kafka.connect.data.Schema;

/**
 * Turns changes into the keys and values of Connect records, in the connector's record format: {@code Struct}s with
 * Connect schemas ({@link StructEvents}), or the Kafka destination's JSON bytes ({@link JsonEncoder}). Either way the
 * records that a change makes, and their order, are the Kafka destination's ({@code io.pgferry.kafka.event.ChangeRecords}).
 * Not thread-safe: an instance is used by one thread (the task's, or the stream's for {@link Handoff.Prepare}).
 */
interface Encoder {
    /** Receives the records of a change, in the order they are to be sent. */
    interface Out {
        /**
         * @param unchangedToast the value of header {@link io.pgferry.kafka.event.UnchangedToast#HEADER}, or null for none
         */
        void add(String topic, Schema keySchema, Object key, Schema valueSchema, Object value, String unchangedToast);
    }

    /** Where a change comes from: its source transaction's id and commit time, and its metadata (null when off). */
    record Origin(long xid, Instant commitTime, TransactionStruct metadata) {}

    void add(ChangeEvent change, Origin origin, Out out);

    /** A record's topic, key, value and unchanged-TOAST header (null for none), made ahead of its poll. */
    record Encoded(
            String topic, Schema keySchema, Object key, Schema valueSchema, Object value, String unchangedToast) {}
}
