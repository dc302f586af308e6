package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.sink.SourceTransaction;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Debezium's transaction metadata for one source transaction: its id ({@code xid:commit LSN}, the LSN as a number,
 * as Debezium's PostgreSQL connector forms it), and the order of each of its events in the whole transaction and
 * within its table, for the {@code transaction} block of each event and the BEGIN and END records of the {@code
 * <prefix>.transaction} topic. Not thread-safe: the sink's.
 */
public final class TransactionBlock {
    private final String id;
    private final Instant commitTime;
    private final Map<String, long[]> perCollection = new LinkedHashMap<>();
    private long total;
    private boolean begun;

    public TransactionBlock(SourceTransaction tx, Instant now) {
        this.id = tx.xid() + ":" + tx.commitLsn().value();
        this.commitTime = tx.commitTime() != null ? tx.commitTime() : now;
    }

    String id() {
        return id;
    }

    Instant commitTime() {
        return commitTime;
    }

    /**
     * Marks the transaction begun; true the first time, when its BEGIN record is due: Debezium writes BEGIN (before
     * the first event) and END only around transactions that have events.
     */
    public boolean begin() {
        boolean first = !begun;
        begun = true;
        return first;
    }

    public boolean begun() {
        return begun;
    }

    /** Counts one more event of {@code dataCollection}. */
    void count(String dataCollection) {
        total++;
        perCollection.computeIfAbsent(dataCollection, k -> new long[1])[0]++;
    }

    /** The {@code transaction} block of the event counted last. */
    void write(JsonGenerator g, String dataCollection) throws IOException {
        g.writeObjectFieldStart("transaction");
        g.writeStringField("id", id);
        g.writeNumberField("total_order", total);
        g.writeNumberField("data_collection_order", perCollection.get(dataCollection)[0]);
        g.writeEndObject();
    }

    static void writeSchema(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "id");
        ConnectJson.field(g, "int64", false, "total_order");
        ConnectJson.field(g, "int64", false, "data_collection_order");
        g.writeEndArray();
        g.writeBooleanField("optional", true);
        g.writeStringField("name", "event.block");
        g.writeNumberField("version", 1);
        g.writeStringField("field", "transaction");
        g.writeEndObject();
    }

    /** The key of a BEGIN or END record: {@code {"id": ...}}. */
    public byte[] key(boolean schemas) {
        return ConnectJson.record(schemas, KEY_SCHEMA, g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeEndObject();
        });
    }

    /** The BEGIN record ({@code end} false) or the END record, with the counts. */
    public byte[] value(boolean schemas, boolean end) {
        return ConnectJson.record(schemas, VALUE_SCHEMA, g -> {
            g.writeStartObject();
            g.writeStringField("status", end ? "END" : "BEGIN");
            g.writeStringField("id", id);
            if (end) {
                g.writeNumberField("event_count", total);
                g.writeArrayFieldStart("data_collections");
                for (Map.Entry<String, long[]> e : perCollection.entrySet()) {
                    g.writeStartObject();
                    g.writeStringField("data_collection", e.getKey());
                    g.writeNumberField("event_count", e.getValue()[0]);
                    g.writeEndObject();
                }
                g.writeEndArray();
            } else {
                g.writeNullField("event_count");
                g.writeNullField("data_collections");
            }
            g.writeNumberField("ts_ms", commitTime.toEpochMilli());
            g.writeEndObject();
        });
    }

    private static final String KEY_SCHEMA = ConnectJson.render(g -> {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "id");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.common.TransactionMetadataKey");
        g.writeEndObject();
    });

    private static final String VALUE_SCHEMA = ConnectJson.render(g -> {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "status");
        ConnectJson.field(g, "string", false, "id");
        ConnectJson.field(g, "int64", true, "event_count");
        g.writeStartObject();
        g.writeStringField("type", "array");
        g.writeObjectFieldStart("items");
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "data_collection");
        ConnectJson.field(g, "int64", false, "event_count");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "event.collection");
        g.writeNumberField("version", 1);
        g.writeEndObject();
        g.writeBooleanField("optional", true);
        g.writeStringField("field", "data_collections");
        g.writeEndObject();
        ConnectJson.field(g, "int64", false, "ts_ms");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.common.TransactionMetadataValue");
        g.writeEndObject();
    });
}
