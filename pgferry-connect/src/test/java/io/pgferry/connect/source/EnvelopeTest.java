package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.core.Lsn;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.kafka.event.JsonEvents;
import io.pgferry.kafka.event.Topics;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/**
 * The source connector's records are the Kafka destination's, byte for byte once Connect's JsonConverter has written
 * them, with and without schemas, with and without transaction metadata: every mapped type with its edge values, key
 * changes, deletes with tombstones, unchanged TOAST values, a TRUNCATE and a logical message, from a real stream. And
 * JsonConverter reads them back into equal records (the types round-trip). With {@code binary=true} the records
 * are the same.
 */
@PgTest
class EnvelopeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:15:30.123456789Z"), ZoneOffset.UTC);

    static final String[] SETUP = {
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
        "CREATE TABLE types (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, b bool,"
                + " n numeric, n2 numeric(60,10), t text, vc varchar(10), c char(3), by bytea, d date,"
                + " ts timestamp, ts3 timestamp(3), tstz timestamptz, tm time, tm3 time(3), u uuid, j json,"
                + " jb jsonb, ai int[], at text[], an numeric[], ats timestamp[], ai2 int[][], iv interval, e mood,"
                + " dom posint, o oid, big text)",
        "CREATE TABLE \"Mixed Case\" (\"Key\" text, k2 int, v text, PRIMARY KEY (\"Key\", k2))",
        "CREATE TABLE nokey (a int, b text)",
        "ALTER TABLE nokey REPLICA IDENTITY FULL",
    };

    static final String[] WORKLOAD = {
        "INSERT INTO types VALUES (1, -32768, 2147483647, -9223372036854775808, 'NaN', 'Infinity', true,"
                + " '1234567890123456789012345678901234567890.0123456789', 'NaN',"
                + " E'4-byte \\U0001F600 \"quoted\" \\\\ back\\\\slash\\nnewline', 't', 'f', '\\x00ff10',"
                + " 'infinity', 'infinity', '-infinity', '-infinity', '24:00:00', '00:00:00',"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2.50, \"x\"],  \"b\": null}',"
                + " '{\"a\": [1, 2.50, \"x\"]}', '{1,NULL,3}', '{\"a,b\",\"NULL\",NULL,\"q\\\"uote\"}',"
                + " '{1.10,NaN,-0.000}', '{\"2024-02-29 12:34:56.789012\",infinity}', '{{1,2},{3,4}}',"
                + " '1 day 02:00:00', 'happy', 5, 4294967295, repeat('x', 100000))",
        "INSERT INTO types (id, f4, f8, d, ts, tstz, tm3, ts3) VALUES (2, '-Infinity', 0.1, '0044-03-15 BC',"
                + " '0044-03-15 12:00:00 BC', '2024-02-29 12:34:56.789012+02', '12:34:56.789',"
                + " '1969-12-31 23:59:59.999')",
        "UPDATE types SET i2 = 7 WHERE id = 1",
        "UPDATE types SET id = 10 WHERE id = 2",
        "DELETE FROM types WHERE id = 10",
        "INSERT INTO \"Mixed Case\" VALUES ('a\"b', 1, 'v')",
        "UPDATE \"Mixed Case\" SET k2 = 2",
        "INSERT INTO nokey VALUES (1, 'x')",
        "DELETE FROM nokey",
        "SELECT pg_logical_emit_message(true, 'app', 'hello')",
        "TRUNCATE nokey",
    };

    @Test
    void recordsAreTheKafkaDestinationsThroughJsonConverter(TestDatabase db) throws Exception {
        db.execute(SETUP);
        List<Captured> txs = capture(db, WORKLOAD.length, textSlot(db, "s")).get(0);
        int compared = 0;
        for (boolean schemas : List.of(false, true)) {
            for (boolean metadata : List.of(false, true)) {
                JsonConverter keys = converter(schemas, true);
                JsonConverter values = converter(schemas, false);
                for (Captured tx : txs) {
                    List<JsonEvents.Json> expected = JsonEvents.encode(
                            tx.changes,
                            tx.xid,
                            tx.commitLsn,
                            tx.commitTime,
                            "srv",
                            db.name(),
                            schemas,
                            metadata,
                            CLOCK);
                    List<Made> actual = structs(tx, db.name(), metadata);
                    assertThat(actual).hasSize(expected.size());
                    for (int i = 0; i < expected.size(); i++) {
                        JsonEvents.Json e = expected.get(i);
                        Made a = actual.get(i);
                        assertThat(a.topic).isEqualTo(e.topic());
                        assertSameJson(keys.fromConnectData(a.topic, a.keySchema, a.key), e.key(), "key " + a.topic);
                        byte[] value = values.fromConnectData(a.topic, a.valueSchema, a.value);
                        assertSameJson(value, e.value(), "value " + a.topic);
                        if (schemas && a.value != null) {
                            SchemaAndValue back = values.toConnectData(a.topic, value);
                            assertReadBack((Struct) back.value(), (Struct) a.value, a.topic);
                        }
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(4 * WORKLOAD.length);
    }

    /**
     * Issue 10: {@code binary=true} asks the server for binary column values. The records must not change: the
     * same WAL read through a text slot and a binary slot side by side gives the same keys and values, byte for byte
     * through JsonConverter, with and without schemas.
     */
    @Test
    void binaryColumnValuesMakeTheSameRecords(TestDatabase db) throws Exception {
        db.execute(SETUP);
        // The binary slot's stream is configured as the connector configures its own, from its keys.
        Map<String, String> connector = new HashMap<>(Map.of(
                "source", ConnectCluster.source(db),
                "source.password", db.server().password(),
                "topic.prefix", "srv",
                "publication", "p",
                "slot", "s_binary",
                "tables", "public.types,public.\"Mixed Case\",public.nokey"));
        connector.put("binary", "true");
        StreamConfig binarySlot = SourceConfig.parse(connector).stream()
                .checkpointStore(CheckpointStore.inMemory())
                .build();
        assertThat(binarySlot.binary()).isTrue();
        List<List<Captured>> both = capture(db, WORKLOAD.length, textSlot(db, "s_text"), binarySlot);
        List<Captured> text = both.get(0);
        List<Captured> binary = both.get(1);
        assertThat(binary).hasSameSizeAs(text);
        assertThat(binaryValues(text)).as("binary values from the text slot").isZero();
        assertThat(binaryValues(binary))
                .as("binary values from the binary slot")
                .isGreaterThan(20);
        int compared = 0;
        for (boolean schemas : List.of(false, true)) {
            JsonConverter keys = converter(schemas, true);
            JsonConverter values = converter(schemas, false);
            for (int t = 0; t < text.size(); t++) {
                List<Made> expected = structs(text.get(t), db.name(), true);
                List<Made> actual = structs(binary.get(t), db.name(), true);
                assertThat(actual).hasSize(expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    Made e = expected.get(i);
                    Made a = actual.get(i);
                    assertThat(a.topic).isEqualTo(e.topic);
                    assertSameJson(
                            keys.fromConnectData(a.topic, a.keySchema, a.key),
                            keys.fromConnectData(e.topic, e.keySchema, e.key),
                            "binary key " + a.topic);
                    assertSameJson(
                            values.fromConnectData(a.topic, a.valueSchema, a.value),
                            values.fromConnectData(e.topic, e.valueSchema, e.value),
                            "binary value " + a.topic);
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(2 * WORKLOAD.length);
    }

    /** How many of the inserted rows' values came in binary format. */
    private static int binaryValues(List<Captured> txs) {
        int n = 0;
        for (Captured tx : txs) {
            for (ChangeEvent c : tx.changes) {
                if (c instanceof ChangeEvent.Insert insert) {
                    for (int i = 0; i < insert.after().size(); i++) {
                        n += insert.after().isBinary(i) ? 1 : 0;
                    }
                }
            }
        }
        return n;
    }

    /**
     * JsonConverter reads every value back as it was, but for non-finite floats: it writes NaN and the infinities as
     * strings (as the Kafka destination does) and reads those strings back as 0, a limit of the converter.
     */
    private static void assertReadBack(Struct back, Struct original, String what) {
        for (Field f : original.schema().fields()) {
            Object o = original.get(f);
            Object b = back.get(f.name());
            if (o instanceof Struct os) {
                assertReadBack((Struct) b, os, what + "." + f.name());
            } else if (o instanceof Float x && !Float.isFinite(x) || o instanceof Double y && !Double.isFinite(y)) {
                continue;
            } else {
                assertThat(b)
                        .as("%s.%s read back by JsonConverter", what, f.name())
                        .isEqualTo(o);
            }
        }
    }

    private static void assertSameJson(byte[] actual, byte[] expected, String what) throws Exception {
        if (expected == null) {
            assertThat(actual).as(what).isNull();
            return;
        }
        JsonNode a = JSON.readTree(actual);
        JsonNode e = flattenArraysOfArrays(JSON.readTree(expected));
        assertThat(a).as(what).isEqualTo(e);
    }

    /**
     * The one documented difference: the destination writes a multi-dimensional array as nested JSON arrays, while a
     * Connect record, whose array schema has one level, holds it flattened.
     */
    private static JsonNode flattenArraysOfArrays(JsonNode node) {
        if (node.isArray() && node.size() > 0 && node.get(0).isArray()) {
            ArrayNode flat = JSON.createArrayNode();
            flatten(node, flat);
            return flat;
        }
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            o.properties().forEach(f -> f.setValue(flattenArraysOfArrays(f.getValue())));
        }
        return node;
    }

    private static void flatten(JsonNode node, ArrayNode into) {
        for (JsonNode e : node) {
            if (e.isArray()) {
                flatten(e, into);
            } else {
                into.add(e);
            }
        }
    }

    private static JsonConverter converter(boolean schemas, boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", String.valueOf(schemas), "schemas.cache.size", "100"), isKey);
        return c;
    }

    record Made(String topic, Schema keySchema, Object key, Schema valueSchema, Object value) {}

    private static List<Made> structs(Captured tx, String db, boolean metadata) {
        StructEvents events = new StructEvents(new Topics("srv"), new SourceStruct("srv", db), true, CLOCK);
        Transaction t = new Transaction(
                tx.xid,
                tx.commitLsn,
                tx.commitLsn,
                tx.commitTime,
                null,
                Transaction.Kind.COMMITTED,
                List.<ChangeEvent>of().iterator(),
                lsn -> {});
        TransactionStruct block = metadata ? new TransactionStruct(t, CLOCK.instant()) : null;
        Encoder.Origin origin = new Encoder.Origin(tx.xid, tx.commitTime, block);
        List<Made> out = new ArrayList<>();
        for (ChangeEvent c : tx.changes) {
            events.add(c, origin, (topic, ks, k, vs, v, toast) -> out.add(new Made(topic, ks, k, vs, v)));
        }
        return out;
    }

    /** A transaction as a real stream delivered it. */
    record Captured(long xid, Lsn commitLsn, Instant commitTime, List<ChangeEvent> changes) {}

    /** A stream of the workload's tables from {@code slot}, with text values. */
    private static StreamConfig textSlot(TestDatabase db, String slot) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot(slot)
                .tables("public.types", "public.\"Mixed Case\"", "public.nokey")
                .checkpointStore(CheckpointStore.inMemory())
                .build();
    }

    /** The workload's transactions as real streams delivered them, one stream for each config, reading the same WAL. */
    private static List<List<Captured>> capture(TestDatabase db, int count, StreamConfig... configs) throws Exception {
        List<List<Captured>> out = new ArrayList<>();
        List<ChangeStream> streams = new ArrayList<>();
        try {
            for (StreamConfig config : configs) {
                List<Captured> captured = new ArrayList<>();
                out.add(captured);
                ChangeStream stream = ChangeStream.create(config, tx -> collect(tx, captured));
                streams.add(stream);
                stream.start();
            }
            db.execute(WORKLOAD);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (List<Captured> captured : out) {
                synchronized (captured) {
                    while (captured.size() < count) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            fail("got " + captured.size() + " transactions, not " + count);
                        }
                        captured.wait(Math.max(1, left / 1_000_000));
                    }
                }
            }
            List<List<Captured>> copies = new ArrayList<>();
            for (List<Captured> captured : out) {
                synchronized (captured) {
                    copies.add(List.copyOf(captured));
                }
            }
            return copies;
        } finally {
            for (ChangeStream stream : streams) {
                stream.close();
            }
        }
    }

    private static void collect(Transaction tx, List<Captured> into) {
        List<ChangeEvent> changes = new ArrayList<>();
        for (ChangeEvent e : tx) {
            changes.add(e);
        }
        synchronized (into) {
            if (!changes.isEmpty() && tx.kind() != Transaction.Kind.MESSAGE) {
                into.add(new Captured(tx.xid(), tx.commitLsn(), tx.commitTime(), changes));
                into.notifyAll();
            }
        }
        tx.ack();
    }
}
