package io.pgferry.kafka.event;

import io.pgferry.core.event.ChangeEvent;
import java.time.Instant;

/**
 * A logical message ({@code pg_logical_emit_message}) as Debezium's PostgreSQL connector writes it on the message
 * topic: key {@code {"prefix": ...}}, value {@code {op: "m", ts_ms, source, message: {prefix, content}}}, the content
 * as bytes (base64 in JSON). {@code source.schema} and {@code source.table} are empty, and {@code source.txId} null
 * for a message written outside a transaction.
 */
final class MessageEvent {
    private MessageEvent() {}

    static OutRecord record(
            String topic,
            SourceBlock source,
            boolean schemas,
            ChangeEvent.Message m,
            EventRecords.Origin origin,
            Instant now) {
        byte[] key = ConnectJson.record(schemas, KEY_SCHEMA, g -> {
            g.writeStartObject();
            g.writeStringField("prefix", m.prefix());
            g.writeEndObject();
        });
        Instant at = origin.commitTime() != null ? origin.commitTime() : now;
        long xid = m.transactional() ? origin.xid() : 0;
        byte[] value = ConnectJson.record(schemas, VALUE_SCHEMA, g -> {
            g.writeStartObject();
            g.writeStringField("op", "m");
            EventRecords.writeTimes(g, now);
            source.write(g, at, false, "", "", xid, m.lsn());
            g.writeObjectFieldStart("message");
            g.writeStringField("prefix", m.prefix());
            g.writeFieldName("content");
            g.writeBinary(m.content());
            g.writeEndObject();
            g.writeEndObject();
        });
        return new OutRecord(topic, key, value);
    }

    private static final String KEY_SCHEMA = ConnectJson.render(g -> {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", true, "prefix");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.postgresql.MessageKey");
        g.writeEndObject();
    });

    private static final String VALUE_SCHEMA = ConnectJson.render(g -> {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "op");
        ConnectJson.field(g, "int64", true, "ts_ms");
        ConnectJson.field(g, "int64", true, "ts_us");
        ConnectJson.field(g, "int64", true, "ts_ns");
        SourceBlock.writeSchema(g);
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", true, "prefix");
        ConnectJson.field(g, "bytes", true, "content");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.postgresql.Message");
        g.writeStringField("field", "message");
        g.writeEndObject();
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.postgresql.MessageValue");
        g.writeEndObject();
    });
}
