package io.pgferry.connect.source;

import java.time.Instant;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The record a heartbeat becomes, on {@code <topic.prefix>.heartbeat}, in the form of Debezium's heartbeat records:
 * key {@code {serverName}}, value {@code {ts_ms}}. Its offset is what lets the slot advance while the published tables
 * are quiet; consumers may ignore the topic. The same record marks the end of the initial snapshot.
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

    private final String topic;
    private final Struct key;

    Heartbeat(String prefix) {
        this.topic = prefix + ".heartbeat";
        this.key = new Struct(KEY_SCHEMA).put("serverName", prefix);
    }

    String topic() {
        return topic;
    }

    Struct key() {
        return key;
    }

    Struct value(Instant now) {
        return new Struct(VALUE_SCHEMA).put("ts_ms", now.toEpochMilli());
    }
}
