package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * With {@code schemas=true} every record carries its Kafka Connect schema as JsonConverter writes it: the records are
 * read back with Kafka Connect's own JsonConverter ({@code schemas.enable=true}), as a Debezium consumer such as its
 * JDBC sink reads them, and the schemas carry Debezium's types and semantic names.
 */
@PgTest
@Tag("kafka")
class KafkaSinkSchemasTest {

    @Test
    void recordsConvertWithKafkaConnectsJsonConverterAndCarryDebeziumsTypes(TestDatabase db) throws Exception {
        List<Captured> txs = KafkaSinkTypesTest.capture(db);
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).schemas(true).build();
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        String topic = prefix + ".public.types";
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(topic, 3);
        JsonNode framed = json(records.get(0).value());
        assertThat(KafkaSinkEnvelopeTest.fieldNames(framed)).containsExactly("schema", "payload");
        assertThat(framed.get("payload").get("op").asText()).isEqualTo("c");

        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        SchemaAndValue key = keys.toConnectData(topic, records.get(1).key());
        assertThat(key.schema().name()).isEqualTo(topic + ".Key");
        assertThat(key.schema().fields()).extracting(Field::name).containsExactly("id");
        assertThat(key.schema().field("id").schema().isOptional()).isFalse();
        assertThat(((Struct) key.value()).getInt32("id")).isEqualTo(2);

        List<Struct> envelopes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            envelopes.add((Struct) values.toConnectData(topic, r.value()).value());
        }
        Schema envelope = envelopes.get(0).schema();
        assertThat(envelope.name()).isEqualTo(topic + ".Envelope");
        assertThat(envelope.fields())
                .extracting(Field::name)
                .containsExactly("before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns");
        assertThat(envelope.field("source").schema().name()).isEqualTo("io.debezium.connector.postgresql.Source");
        assertThat(envelope.field("transaction").schema().name()).isEqualTo("event.block");
        Schema row = envelope.field("after").schema();
        assertThat(row.name()).isEqualTo(topic + ".Value");
        assertThat(types(row))
                .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                        Map.entry("id", "INT32"),
                        Map.entry("i2", "INT16"),
                        Map.entry("i4", "INT32"),
                        Map.entry("i8", "INT64"),
                        Map.entry("f4", "FLOAT32"),
                        Map.entry("f8", "FLOAT64"),
                        Map.entry("b", "BOOLEAN"),
                        Map.entry("n", "STRING"),
                        Map.entry("n2", "STRING"),
                        Map.entry("t", "STRING"),
                        Map.entry("vc", "STRING"),
                        Map.entry("c", "STRING"),
                        Map.entry("by", "BYTES"),
                        Map.entry("d", "INT32 io.debezium.time.Date"),
                        Map.entry("ts", "INT64 io.debezium.time.MicroTimestamp"),
                        Map.entry("ts3", "INT64 io.debezium.time.Timestamp"),
                        Map.entry("tstz", "STRING io.debezium.time.ZonedTimestamp"),
                        Map.entry("tm", "INT64 io.debezium.time.MicroTime"),
                        Map.entry("tm3", "INT32 io.debezium.time.Time"),
                        Map.entry("u", "STRING io.debezium.data.Uuid"),
                        Map.entry("j", "STRING io.debezium.data.Json"),
                        Map.entry("jb", "STRING io.debezium.data.Json"),
                        Map.entry("ai", "ARRAY of INT32"),
                        Map.entry("at", "ARRAY of STRING"),
                        Map.entry("an", "ARRAY of STRING"),
                        Map.entry("ats", "ARRAY of INT64 io.debezium.time.MicroTimestamp"),
                        Map.entry("iv", "STRING"),
                        Map.entry("e", "STRING"),
                        Map.entry("dom", "INT32"),
                        Map.entry("o", "INT64")));
        assertThat(row.fields())
                .allSatisfy(f -> assertThat(f.schema().isOptional()).isTrue());

        Struct plain = envelopes.get(1).getStruct("after");
        assertThat(plain.getInt32("d"))
                .isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(plain.getString("tstz")).isEqualTo("2024-02-29T10:34:56.789012Z");
        assertThat(plain.getString("n")).isEqualTo(db.queryString("SELECT '-0.000'::numeric::text"));
        assertThat(plain.getString("t")).isEqualTo("NULL");
        assertThat(plain.getArray("ai")).isEmpty();
        Struct edge = envelopes.get(0).getStruct("after");
        assertThat(edge.getInt64("i8")).isEqualTo(Long.MIN_VALUE);
        assertThat(edge.getArray("at")).containsExactly("a,b", "NULL", null, "q\"uote");
        assertThat(bytes(edge.get("by"))).containsExactly(0x00, 0xff, 0x10);
        assertThat(envelopes.get(2).getStruct("after").getString("t")).isNull();
        Struct source = envelopes.get(0).getStruct("source");
        assertThat(source.getString("snapshot")).isEqualTo("false");
        assertThat(source.getInt64("txId")).isEqualTo(txs.get(0).xid());
    }

    private static JsonConverter converter(boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "true"), isKey);
        return c;
    }

    /** Each field's Connect type and semantic name, e.g. {@code INT32 io.debezium.time.Date}. */
    private static Map<String, String> types(Schema struct) {
        Map<String, String> out = new HashMap<>();
        for (Field f : struct.fields()) {
            out.put(f.name(), describe(f.schema()));
        }
        return out;
    }

    private static String describe(Schema s) {
        String type = s.type() == Schema.Type.ARRAY
                ? "ARRAY of " + describe(s.valueSchema())
                : s.type().name();
        return s.name() == null ? type : type + " " + s.name();
    }

    private static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        return (byte[]) v;
    }
}
