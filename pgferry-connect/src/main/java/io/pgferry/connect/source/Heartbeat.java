package io.pgferry.connect.source;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The record a heartbeat becomes, on {@code <topic.prefix>.heartbeat}, in the form of Debezium's heartbeat records:
 * key {@code {serverName}}, value {@code {ts_ms}}, in the connector's record format. Its offset is what lets the slot
 * advance while the published tables are quiet; consumers may ignore the topic. The same record marks the start and
 * the end of the initial snapshot.
 */
final class Heartbeat {
    static final Schema KEY_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.common.ServerNameKey")
            .field("serverName", Schema.STRING_SCHEMA)
            .build();
    static final Schema VALUE_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.common.Heartbeat")
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    /** The schemas as JsonConverter writes them: a prefix is only letters, digits, '.', '_' and '-'. */
    private static final String KEY_JSON_SCHEMA = "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
            + "\"optional\":false,\"field\":\"serverName\"}],\"optional\":false,"
            + "\"name\":\"io.debezium.connector.common.ServerNameKey\"}";

    private static final String VALUE_JSON_SCHEMA = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\","
            + "\"optional\":false,\"field\":\"ts_ms\"}],\"optional\":false,"
            + "\"name\":\"io.debezium.connector.common.Heartbeat\"}";

    private final String topic;
    private final RecordFormat format;
    private final Object key;

    Heartbeat(String prefix, RecordFormat format) {
        this.topic = prefix + ".heartbeat";
        this.format = format;
        this.key = format == RecordFormat.STRUCT
                ? new Struct(KEY_SCHEMA).put("serverName", prefix)
                : json(KEY_JSON_SCHEMA, "{\"serverName\":\"" + prefix + "\"}");
    }

    String topic() {
        return topic;
    }

    Schema keySchema() {
        return format == RecordFormat.STRUCT ? KEY_SCHEMA : Schema.OPTIONAL_BYTES_SCHEMA;
    }

    Object key() {
        return key;
    }

    Schema valueSchema() {
        return format == RecordFormat.STRUCT ? VALUE_SCHEMA : Schema.OPTIONAL_BYTES_SCHEMA;
    }

    Object value(Instant now) {
        return format == RecordFormat.STRUCT
                ? new Struct(VALUE_SCHEMA).put("ts_ms", now.toEpochMilli())
                : json(VALUE_JSON_SCHEMA, "{\"ts_ms\":" + now.toEpochMilli() + "}");
    }

    private byte[] json(String schema, String payload) {
        String text = format == RecordFormat.JSON_WITH_SCHEMAS
                ? "{\"schema\":" + schema + ",\"payload\":" + payload + "}"
                : payload;
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
