package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A sync into a real KRaft broker (issue 7) as the source's tables change shape or are mapped to other schemas: the
 * events keep the source's names and carry the columns their rows were read with.
 */
@PgTest
@Tag("stream")
@Tag("kafka")
class KafkaSyncSchemaTest {
    /**
     * Issue 7's audit: no test sent a column added while streaming, or a table named in mixed case and unicode, to a
     * real broker. The table's topic has the name with what a topic cannot hold made '_', the events keep the real
     * names, and the rows after the ALTER carry the new column (DDL mode apply, the default).
     */
    @Test
    void aColumnAddedWhileStreamingToAMixedCaseUnicodeTableArrivesInItsEvents(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE \"Größe Tab\" (id int PRIMARY KEY, \"Wert\" text)",
                "INSERT INTO \"Größe Tab\" VALUES (1, 'eins')");
        String prefix = KafkaSyncTest.prefix();
        String topic = prefix + ".public.Gr__e_Tab";
        SyncEngine engine = new SyncEngine(
                KafkaSyncTest.config(source, prefix).untilCaughtUp(false).build());
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<SyncEngine.Result> run = thread.submit(engine::run);
            KafkaSyncTest.awaitRecords(topic, 1);
            source.execute(
                    "ALTER TABLE \"Größe Tab\" ADD COLUMN \"Neu ß\" int",
                    "INSERT INTO \"Größe Tab\" VALUES (2, 'zwei', 22)");
            KafkaSyncTest.awaitRecords(topic, 2);
            List<ConsumerRecord<byte[], byte[]>> all = KafkaBroker.shared().records(topic, "read_committed");
            JsonNode first = KafkaSyncTest.JSON.readTree(all.get(0).value());
            JsonNode second = KafkaSyncTest.JSON.readTree(all.get(1).value());
            assertThat(first.path("source").path("table").asText()).isEqualTo("Größe Tab");
            assertThat(first.path("after").path("Wert").asText()).isEqualTo("eins");
            assertThat(first.path("after").has("Neu ß")).isFalse();
            assertThat(second.path("op").asText()).isEqualTo("c");
            assertThat(second.path("after").path("Neu ß").asInt()).isEqualTo(22);
            assertThat(second.path("after").path("Wert").asText()).isEqualTo("zwei");
            assertThat(run.isDone()).as("the sync is still running").isFalse();
        } finally {
            engine.stop();
            thread.shutdownNow();
        }
    }

    /**
     * Issue 7's audit: a table outside schema public, and a schema map, sent to a real broker. The table's topic is
     * named after the mapped schema and the events keep the source's schema, by copy and by stream. Regression: the
     * library's sync schema map did not reach a Kafka target (only the CLI filled the target's own), so the topic kept
     * the source schema's name.
     */
    @Test
    void aMappedSchemaNamesTheTopicWhileTheEventsKeepTheSourceSchema(TestDatabase source) throws Exception {
        source.execute(
                "CREATE SCHEMA sales",
                "CREATE TABLE sales.orders (id int PRIMARY KEY, v text)",
                "INSERT INTO sales.orders VALUES (1, 'a'), (2, 'b')");
        String prefix = KafkaSyncTest.prefix();
        SyncConfig config = KafkaSyncTest.config(source, prefix)
                .include("sales.*")
                .mapSchema("sales", "eu")
                .build();
        new SyncEngine(config).run();
        source.execute("UPDATE sales.orders SET v = 'c' WHERE id = 2", "DELETE FROM sales.orders WHERE id = 1");
        new SyncEngine(config).run();
        String topic = prefix + ".eu.orders";
        assertThat(KafkaSyncTest.records(topic)).containsExactly("r 1 a", "r 2 b", "u 2 c", "d 1 -", "tombstone 1");
        for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.shared().records(topic, "read_committed")) {
            if (r.value() != null) {
                assertThat(KafkaSyncTest.JSON
                                .readTree(r.value())
                                .path("source")
                                .path("schema")
                                .asText())
                        .isEqualTo("sales");
            }
        }
    }

    /**
     * Issue 10: a column added at the source with a default left NULL in the rows a sink connector's destination held,
     * as no change carries what those rows read there. The records' schema now names it (the field parameter
     * {@code __pgferry.existing}, PostgreSQL's text), for a column added with a default and not for one without.
     */
    @Test
    void theSchemaNamesWhatTheRowsBeforeAColumnReadInIt(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE m (id int PRIMARY KEY, v text)",
                "INSERT INTO m VALUES (1, 'a')",
                "ALTER TABLE m ADD COLUMN d text DEFAULT 'it''s here'",
                "ALTER TABLE m ADD COLUMN n int",
                "INSERT INTO m VALUES (2, 'b', NULL, 5)");
        String prefix = KafkaSyncTest.prefix();
        KafkaTarget target = KafkaTarget.parseUri(
                        "kafka://" + KafkaBroker.shared().bootstrapServers() + "?topic.prefix=" + prefix)
                .syncName("pgferry_sync")
                .sourceDatabase("src")
                .schemas(true)
                .build();
        new SyncEngine(SyncConfig.builder()
                        .source(source.uri())
                        .target(target)
                        .untilCaughtUp(true)
                        .build())
                .run();
        List<ConsumerRecord<byte[], byte[]>> all = KafkaBroker.shared().records(prefix + ".public.m", "read_committed");
        assertThat(all).hasSize(2);
        for (ConsumerRecord<byte[], byte[]> r : all) {
            JsonNode after = field(KafkaSyncTest.JSON.readTree(r.value()).path("schema"), "after");
            assertThat(field(after, "d")
                            .path("parameters")
                            .path("__pgferry.existing")
                            .asText())
                    .isEqualTo("it's here");
            assertThat(field(after, "n").path("parameters").has("__pgferry.existing"))
                    .isFalse();
            assertThat(field(after, "v").path("parameters").has("__pgferry.existing"))
                    .isFalse();
        }
    }

    /** The field named {@code name} of a struct schema in Connect's JSON form. */
    private static JsonNode field(JsonNode struct, String name) {
        for (JsonNode f : struct.path("fields")) {
            if (name.equals(f.path("field").asText())) {
                return f;
            }
        }
        throw new AssertionError("no field " + name + " in " + struct);
    }
}
