package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Row changes from a real stream, read back from the broker and checked field by field against Debezium's form. */
@PgTest
@Tag("kafka")
class KafkaSinkEnvelopeTest {

    @Test
    void insertUpdateDeleteAreDebeziumEnvelopesWithKeysAndATombstone(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, name text)");
        List<Captured> txs = Captured.capture(
                db,
                List.of("public.t"),
                3,
                "INSERT INTO t VALUES (1, 'a')",
                "UPDATE t SET name = 'b' WHERE id = 1",
                "DELETE FROM t WHERE id = 1");
        String prefix = TestBroker.freshPrefix();
        Instant before = Instant.now();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        Instant after = Instant.now();
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public.t", 4);
        assertThat(records).hasSize(4);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(json(r.key())).isEqualTo(json("{\"id\":1}".getBytes(StandardCharsets.UTF_8)));
        }

        JsonNode insert = json(records.get(0).value());
        assertThat(fieldNames(insert))
                .containsExactly("before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns");
        assertThat(insert.get("op").asText()).isEqualTo("c");
        assertThat(insert.get("before").isNull()).isTrue();
        assertThat(insert.get("after").get("id").isInt()).isTrue();
        assertThat(insert.get("after").get("id").asInt()).isEqualTo(1);
        assertThat(insert.get("after").get("name").asText()).isEqualTo("a");
        assertThat(insert.get("transaction").isNull()).isTrue();
        long tsMs = insert.get("ts_ms").asLong();
        assertThat(tsMs).isBetween(before.toEpochMilli(), after.toEpochMilli());
        assertThat(insert.get("ts_us").asLong() / 1000).isEqualTo(tsMs);
        assertThat(insert.get("ts_ns").asLong() / 1_000_000).isEqualTo(tsMs);

        JsonNode source = insert.get("source");
        assertThat(fieldNames(source))
                .containsExactly(
                        "version",
                        "connector",
                        "name",
                        "ts_ms",
                        "snapshot",
                        "db",
                        "ts_us",
                        "ts_ns",
                        "schema",
                        "table",
                        "txId",
                        "lsn");
        assertThat(source.get("version").asText()).startsWith("pgferry-0.");
        assertThat(source.get("connector").asText()).isEqualTo("postgresql");
        assertThat(source.get("name").asText()).isEqualTo(prefix);
        assertThat(source.get("ts_ms").asLong())
                .isEqualTo(txs.get(0).commitTime().toEpochMilli());
        assertThat(source.get("ts_us").asLong() / 1000)
                .isEqualTo(source.get("ts_ms").asLong());
        assertThat(source.get("snapshot").isTextual()).isTrue();
        assertThat(source.get("snapshot").asText()).isEqualTo("false");
        assertThat(source.get("db").asText()).isEqualTo("sourcedb");
        assertThat(source.get("schema").asText()).isEqualTo("public");
        assertThat(source.get("table").asText()).isEqualTo("t");
        assertThat(source.get("txId").asLong()).isEqualTo(txs.get(0).xid());
        assertThat(source.get("lsn").asLong())
                .isEqualTo(txs.get(0).changes().get(0).lsn().value());

        JsonNode update = json(records.get(1).value());
        assertThat(update.get("op").asText()).isEqualTo("u");
        assertThat(update.get("before").isNull())
                .as("with REPLICA IDENTITY DEFAULT Debezium has no old row")
                .isTrue();
        assertThat(update.get("after").get("name").asText()).isEqualTo("b");
        assertThat(update.get("source").get("txId").asLong())
                .isEqualTo(txs.get(1).xid());

        JsonNode delete = json(records.get(2).value());
        assertThat(delete.get("op").asText()).isEqualTo("d");
        assertThat(delete.get("after").isNull()).isTrue();
        assertThat(delete.get("before").get("id").asInt()).isEqualTo(1);
        assertThat(delete.get("before").has("name")).isTrue();
        assertThat(delete.get("before").get("name").isNull())
                .as("the old key alone: other columns null")
                .isTrue();

        assertThat(records.get(3).value()).as("the tombstone after the delete").isNull();
    }

    @Test
    void aKeyChangeIsDeleteTombstoneCreate(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, name text)", "INSERT INTO t VALUES (1, 'a')");
        List<Captured> txs = Captured.capture(db, List.of("public.t"), 1, "UPDATE t SET id = 2 WHERE id = 1");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public.t", 3);
        assertThat(records).hasSize(3);
        assertThat(json(records.get(0).key()).get("id").asInt()).isEqualTo(1);
        JsonNode delete = json(records.get(0).value());
        assertThat(delete.get("op").asText()).isEqualTo("d");
        assertThat(delete.get("before").get("id").asInt()).isEqualTo(1);
        assertThat(json(records.get(1).key()).get("id").asInt()).isEqualTo(1);
        assertThat(records.get(1).value()).isNull();
        assertThat(json(records.get(2).key()).get("id").asInt()).isEqualTo(2);
        JsonNode create = json(records.get(2).value());
        assertThat(create.get("op").asText()).isEqualTo("c");
        assertThat(create.get("before").isNull()).isTrue();
        assertThat(create.get("after").get("id").asInt()).isEqualTo(2);
        assertThat(create.get("after").get("name").asText()).isEqualTo("a");
        assertThat(create.get("source").get("txId").asLong())
                .isEqualTo(txs.get(0).xid());
    }

    @Test
    void withoutTombstonesADeleteIsAlone(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
        List<Captured> txs = Captured.capture(
                db, List.of("public.t"), 2, "DELETE FROM t WHERE id = 1", "UPDATE t SET id = 3 WHERE id = 2");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink =
                KafkaSink.open(TestBroker.target(prefix).tombstones(false).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public.t", 3);
        assertThat(records).extracting(r -> json(r.value()).get("op").asText()).containsExactly("d", "d", "c");
    }

    @Test
    void aTableWithoutKeyGetsNullKeysAndFullOldRows(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE nokey (a int, b text)",
                "ALTER TABLE nokey REPLICA IDENTITY FULL",
                "CREATE TABLE fullpk (id int PRIMARY KEY)",
                "ALTER TABLE fullpk REPLICA IDENTITY FULL",
                "CREATE TABLE keyed (id int PRIMARY KEY)");
        List<Captured> txs = Captured.capture(
                db,
                List.of("public.nokey", "public.fullpk", "public.keyed"),
                4,
                "INSERT INTO nokey VALUES (1, 'x')",
                "UPDATE nokey SET b = 'y'",
                "DELETE FROM nokey",
                "BEGIN; INSERT INTO fullpk VALUES (1); INSERT INTO keyed VALUES (1); COMMIT");
        ChangeEvent.Insert fullpk = (ChangeEvent.Insert) txs.get(3).changes().get(0);
        ChangeEvent.Insert keyed = (ChangeEvent.Insert) txs.get(3).changes().get(1);
        assertThat(KafkaSink.hasKey(((ChangeEvent.Insert) txs.get(0).changes().get(0)).relation()))
                .isFalse();
        assertThat(KafkaSink.hasKey(fullpk.relation()))
                .as("REPLICA IDENTITY FULL sends every column as key: no key to use")
                .isFalse();
        assertThat(KafkaSink.hasKey(keyed.relation())).isTrue();

        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public.nokey", 3);
        assertThat(records).hasSize(3).allSatisfy(r -> assertThat(r.key()).isNull());
        assertThat(records).extracting(r -> json(r.value()).get("op").asText()).containsExactly("c", "u", "d");
        JsonNode update = json(records.get(1).value());
        assertThat(update.get("before").get("b").asText()).isEqualTo("x");
        assertThat(update.get("after").get("b").asText()).isEqualTo("y");
        JsonNode delete = json(records.get(2).value());
        assertThat(delete.get("before").get("a").asInt()).isEqualTo(1);
        assertThat(delete.get("before").get("b").asText()).isEqualTo("y");
        assertThat(TestBroker.await(prefix + ".public.fullpk", 1).get(0).key()).isNull();
        assertThat(json(TestBroker.await(prefix + ".public.keyed", 1).get(0).key())
                        .get("id")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void truncateIsAnEventOnEachTablesTopicWithANullKey(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE u (id int PRIMARY KEY)");
        List<Captured> txs = Captured.capture(db, List.of("public.t", "public.u"), 1, "TRUNCATE t, u");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        for (String table : List.of("t", "u")) {
            List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public." + table, 1);
            assertThat(records).hasSize(1);
            assertThat(records.get(0).key()).isNull();
            JsonNode v = json(records.get(0).value());
            assertThat(v.get("op").asText()).isEqualTo("t");
            assertThat(v.get("before").isNull()).isTrue();
            assertThat(v.get("after").isNull()).isTrue();
            assertThat(v.get("source").get("table").asText()).isEqualTo(table);
            assertThat(v.get("source").get("txId").asLong())
                    .isEqualTo(txs.get(0).xid());
        }
    }

    @Test
    void logicalMessagesGoToTheMessageTopic(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        List<Captured> txs = Captured.capture(
                db,
                List.of("public.t"),
                2,
                "BEGIN; INSERT INTO t VALUES (1);"
                        + " SELECT pg_logical_emit_message(true, 'audit', convert_to('in tx ✓', 'UTF8')); COMMIT",
                "SELECT pg_logical_emit_message(false, 'ping', '\\x00ff'::bytea)");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".message", 2);
        assertThat(records).hasSize(2);
        assertThat(json(records.get(0).key()).get("prefix").asText()).isEqualTo("audit");
        JsonNode inTx = json(records.get(0).value());
        assertThat(fieldNames(inTx)).containsExactly("op", "ts_ms", "ts_us", "ts_ns", "source", "message");
        assertThat(inTx.get("op").asText()).isEqualTo("m");
        assertThat(inTx.get("message").get("prefix").asText()).isEqualTo("audit");
        assertThat(new String(inTx.get("message").get("content").binaryValue(), StandardCharsets.UTF_8))
                .isEqualTo("in tx ✓");
        assertThat(inTx.get("source").get("txId").asLong()).isEqualTo(txs.get(0).xid());
        assertThat(inTx.get("source").get("table").asText()).isEmpty();

        JsonNode outside = json(records.get(1).value());
        assertThat(json(records.get(1).key()).get("prefix").asText()).isEqualTo("ping");
        assertThat(outside.get("message").get("content").binaryValue()).containsExactly(0x00, 0xff);
        assertThat(outside.get("source").get("txId").isNull()).isTrue();
        assertThat(TestBroker.committed(prefix + ".public.t")).hasSize(1);
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
