package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.Test;

/**
 * The source connector on Kafka Connect's own two-worker cluster, with exactly-once delivery required and the
 * connector's transaction boundaries: a workload streams while the worker running the task is stopped, the task moves
 * to the other worker, and a {@code read_committed} consumer sees every change once, each source transaction's
 * records together.
 */
@PgTest
class SourceConnectorExactlyOnceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int TRANSACTIONS = 200;
    static final int ROWS_PER_TRANSACTION = 5;

    @Test
    void everyChangeOnceAndWholeTransactionsAcrossAWorkerStoppedMidWorkload(TestDatabase db) throws Exception {
        EmbeddedConnectCluster connect = ConnectCluster.get();
        ConnectCluster.ensureTwoWorkers();
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String name = ConnectCluster.freshName("eos");
        Map<String, String> config = connectorConfig(db, name);
        config.put("exactly.once.support", "required");
        config.put("transaction.boundary", "connector");
        connect.configureConnector(name, config);
        ConnectCluster.await(
                Duration.ofSeconds(60), () -> ConnectCluster.taskRunning(name), "the task to run (" + name + ")");

        AtomicInteger committed = new AtomicInteger();
        Thread workload = new Thread(() -> {
            try {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    db.execute(transaction(i));
                    committed.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        workload.start();
        ConnectCluster.await(
                Duration.ofSeconds(60), () -> committed.get() >= TRANSACTIONS / 3, "a third of the workload");
        WorkerHandle running = ConnectCluster.workerOfTask(name);
        connect.removeWorker(running);
        workload.join(Duration.ofMinutes(2).toMillis());
        assertThat(workload.isAlive()).isFalse();
        ConnectCluster.await(
                Duration.ofSeconds(90),
                () -> ConnectCluster.taskRunning(name),
                "the task to run on the other worker: " + ConnectCluster.taskState(name));

        String topic = name + ".public.t";
        int expected = TRANSACTIONS * (ROWS_PER_TRANSACTION + 1);
        List<JsonNode> values = consumeUntil(connect, topic, expected, Duration.ofSeconds(120));
        // Whatever else could still arrive is in by now: the connector's committed offset is at the last transaction.
        long lastCommit = db.queryLong("SELECT max(tx) FROM t");
        assertThat(lastCommit).isEqualTo(TRANSACTIONS - 1);
        values = consumeUntil(connect, topic, expected, Duration.ofSeconds(5));

        Map<String, Integer> seen = new HashMap<>();
        Map<Long, List<Integer>> positionsByXid = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            String op = v.get("op").asText();
            String id = op + ":" + v.get("after").get("id").asInt();
            seen.merge(id, 1, Integer::sum);
            positionsByXid
                    .computeIfAbsent(v.get("source").get("txId").asLong(), k -> new ArrayList<>())
                    .add(i);
        }
        assertThat(values).hasSize(expected);
        assertThat(seen.values()).as("each change once").allMatch(n -> n == 1);
        assertThat(positionsByXid).hasSize(TRANSACTIONS);
        for (List<Integer> positions : positionsByXid.values()) {
            assertThat(positions).hasSize(ROWS_PER_TRANSACTION + 1);
            assertThat(positions.get(positions.size() - 1) - positions.get(0))
                    .as("a transaction's records together")
                    .isEqualTo(ROWS_PER_TRANSACTION);
        }
        connect.deleteConnector(name);
        ConnectCluster.ensureTwoWorkers();
    }

    static String[] transaction(int i) {
        StringBuilder sql = new StringBuilder("BEGIN;");
        for (int r = 0; r < ROWS_PER_TRANSACTION; r++) {
            int id = i * ROWS_PER_TRANSACTION + r;
            sql.append("INSERT INTO t VALUES (")
                    .append(id)
                    .append(", ")
                    .append(i)
                    .append(", 'row ")
                    .append(id)
                    .append("');");
        }
        sql.append("UPDATE t SET v = 'changed' WHERE id = ")
                .append(i * ROWS_PER_TRANSACTION)
                .append(";COMMIT;");
        return new String[] {sql.toString()};
    }

    static Map<String, String> connectorConfig(TestDatabase db, String name) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PgferrySourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("source", ConnectCluster.source(db));
        c.put("source.password", db.server().password());
        c.put("publication", "p_" + name);
        c.put("slot", "s_" + name);
        c.put("tables", "public.t");
        c.put("topic.prefix", name);
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("key.converter.schemas.enable", "false");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        return c;
    }

    /** The values of {@code topic} read with read_committed, until at least {@code count} or the limit passed. */
    static List<JsonNode> consumeUntil(EmbeddedConnectCluster connect, String topic, int count, Duration limit)
            throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long deadline = System.nanoTime() + limit.toNanos();
            ConnectCluster.await(limit, () -> !consumer.partitionsFor(topic).isEmpty(), "topic " + topic);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (System.nanoTime() < deadline && out.size() < count) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(JSON.readTree(r.value()));
                    }
                }
            }
            // What follows the count within a short read would be a duplicate.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.value() != null) {
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }
}
