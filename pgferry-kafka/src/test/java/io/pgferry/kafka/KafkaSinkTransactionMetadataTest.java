package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** BEGIN and END records on the transaction topic, and the {@code transaction} block of each event, as Debezium's. */
@PgTest
@Tag("kafka")
class KafkaSinkTransactionMetadataTest {

    @Test
    void eachSourceTransactionHasBeginAndEndAndItsEventsTheirOrder(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE u (id int PRIMARY KEY)");
        List<Captured> txs = Captured.capture(
                db,
                List.of("public.t", "public.u"),
                3,
                "BEGIN; INSERT INTO t VALUES (1); INSERT INTO u VALUES (1); INSERT INTO t VALUES (2); COMMIT",
                "SELECT pg_logical_emit_message(false, 'outside', 'no transaction')",
                "INSERT INTO u VALUES (2)");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(
                TestBroker.target(prefix).transactionMetadata(true).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> meta = TestBroker.await(prefix + ".transaction", 4);
        assertThat(meta).as("nothing for the message outside a transaction").hasSize(4);
        Captured first = txs.get(0);
        String id = first.xid() + ":" + first.commitLsn().value();

        assertThat(json(meta.get(0).key()).get("id").asText()).isEqualTo(id);
        JsonNode begin = json(meta.get(0).value());
        assertThat(KafkaSinkEnvelopeTest.fieldNames(begin))
                .containsExactly("status", "id", "event_count", "data_collections", "ts_ms");
        assertThat(begin.get("status").asText()).isEqualTo("BEGIN");
        assertThat(begin.get("id").asText()).isEqualTo(id);
        assertThat(begin.get("event_count").isNull()).isTrue();
        assertThat(begin.get("data_collections").isNull()).isTrue();
        assertThat(begin.get("ts_ms").asLong()).isEqualTo(first.commitTime().toEpochMilli());

        JsonNode end = json(meta.get(1).value());
        assertThat(json(meta.get(1).key()).get("id").asText()).isEqualTo(id);
        assertThat(end.get("status").asText()).isEqualTo("END");
        assertThat(end.get("id").asText()).isEqualTo(id);
        assertThat(end.get("event_count").asLong()).isEqualTo(3);
        assertThat(end.get("data_collections").size()).isEqualTo(2);
        assertThat(end.get("data_collections").get(0).get("data_collection").asText())
                .isEqualTo("public.t");
        assertThat(end.get("data_collections").get(0).get("event_count").asLong())
                .isEqualTo(2);
        assertThat(end.get("data_collections").get(1).get("data_collection").asText())
                .isEqualTo("public.u");
        assertThat(end.get("data_collections").get(1).get("event_count").asLong())
                .isEqualTo(1);

        Captured third = txs.get(2);
        String thirdId = third.xid() + ":" + third.commitLsn().value();
        assertThat(json(meta.get(2).value()).get("id").asText()).isEqualTo(thirdId);
        assertThat(json(meta.get(3).value()).get("event_count").asLong()).isEqualTo(1);

        List<ConsumerRecord<byte[], byte[]>> t = TestBroker.await(prefix + ".public.t", 2);
        List<ConsumerRecord<byte[], byte[]>> u = TestBroker.await(prefix + ".public.u", 2);
        assertBlock(t.get(0), id, 1, 1);
        assertBlock(u.get(0), id, 2, 1);
        assertBlock(t.get(1), id, 3, 2);
        assertBlock(u.get(1), thirdId, 1, 1);
        JsonNode message = json(TestBroker.await(prefix + ".message", 1).get(0).value());
        assertThat(message.get("op").asText()).isEqualTo("m");
    }

    @Test
    void withoutMetadataTheBlockIsNullAndNoTopicIsWritten(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        List<Captured> txs = Captured.capture(db, List.of("public.t"), 1, "INSERT INTO t VALUES (1)");
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        JsonNode v = json(TestBroker.await(prefix + ".public.t", 1).get(0).value());
        assertThat(v.has("transaction")).isTrue();
        assertThat(v.get("transaction").isNull()).isTrue();
        assertThat(TestBroker.committed(prefix + ".transaction")).isEmpty();
    }

    private static void assertBlock(ConsumerRecord<byte[], byte[]> record, String id, long total, long inTable) {
        JsonNode block = json(record.value()).get("transaction");
        assertThat(block.get("id").asText()).isEqualTo(id);
        assertThat(block.get("total_order").asLong()).isEqualTo(total);
        assertThat(block.get("data_collection_order").asLong()).isEqualTo(inTable);
    }
}
