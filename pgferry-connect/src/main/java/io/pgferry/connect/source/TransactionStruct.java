package io.pgferry.connect.source;

import io.pgferry.core.event.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Debezium's transaction metadata for one source transaction, as the Kafka destination writes it: its id ({@code
 * xid:commit LSN}, the LSN as a number), the order of each record in the whole transaction and within its table (the
 * {@code transaction} block of each record), and the BEGIN and END records of the {@code <prefix>.transaction} topic.
 * Not thread-safe: the task's.
 */
final class TransactionStruct {
    static final Schema BLOCK_SCHEMA = SchemaBuilder.struct()
            .name("event.block")
            .version(1)
            .optional()
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();

    static final Schema KEY_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.common.TransactionMetadataKey")
            .field("id", Schema.STRING_SCHEMA)
            .build();

    private static final Schema COLLECTION_SCHEMA = SchemaBuilder.struct()
            .name("event.collection")
            .version(1)
            .field("data_collection", Schema.STRING_SCHEMA)
            .field("event_count", Schema.INT64_SCHEMA)
            .build();

    static final Schema VALUE_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.common.TransactionMetadataValue")
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("event_count", Schema.OPTIONAL_INT64_SCHEMA)
            .field(
                    "data_collections",
                    SchemaBuilder.array(COLLECTION_SCHEMA).optional().build())
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    private final String id;
    private final Instant commitTime;
    private final Map<String, long[]> perCollection = new LinkedHashMap<>();
    private long total;

    TransactionStruct(Transaction tx, Instant now) {
        this.id = tx.xid() + ":" + tx.commitLsn().value();
        this.commitTime = tx.commitTime() != null ? tx.commitTime() : now;
    }

    Instant commitTime() {
        return commitTime;
    }

    /** Counts one more record of {@code dataCollection} and returns its {@code transaction} block. */
    Struct next(String dataCollection) {
        total++;
        long[] n = perCollection.computeIfAbsent(dataCollection, k -> new long[1]);
        n[0]++;
        return new Struct(BLOCK_SCHEMA).put("id", id).put("total_order", total).put("data_collection_order", n[0]);
    }

    boolean isEmpty() {
        return total == 0;
    }

    Struct key() {
        return new Struct(KEY_SCHEMA).put("id", id);
    }

    /** The BEGIN record's value ({@code end} false) or the END record's, with the counts. */
    Struct value(boolean end) {
        Struct v = new Struct(VALUE_SCHEMA)
                .put("status", end ? "END" : "BEGIN")
                .put("id", id)
                .put("ts_ms", commitTime.toEpochMilli());
        if (end) {
            List<Struct> collections = new ArrayList<>();
            for (Map.Entry<String, long[]> e : perCollection.entrySet()) {
                collections.add(new Struct(COLLECTION_SCHEMA)
                        .put("data_collection", e.getKey())
                        .put("event_count", e.getValue()[0]));
            }
            v.put("event_count", total).put("data_collections", collections);
        }
        return v;
    }
}
