package io.pgferry.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;

/** What the source connector's tests share: a connector's configuration, a workload, and a consumer. */
final class SourceWorkload {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int ROWS_PER_TRANSACTION = 5;

    private SourceWorkload() {}

    /** Transaction {@code i}: five inserts into t and an update of the first. */
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

    /**
     * Runs {@code transactions} transactions on a thread of their own and, a third of the way in, stops the worker
     * running the connector's task; returns once the workload is done.
     */
    static void runStoppingTheTaskWorkerMidway(
            EmbeddedConnectCluster connect, TestDatabase db, String name, int transactions) throws Exception {
        AtomicInteger committed = new AtomicInteger();
        Thread workload = new Thread(() -> {
            try {
                for (int i = 0; i < transactions; i++) {
                    db.execute(transaction(i));
                    committed.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        workload.start();
        ConnectCluster.await(
                Duration.ofSeconds(60), () -> committed.get() >= transactions / 3, "a third of the workload");
        WorkerHandle running = ConnectCluster.workerOfTask(connect, name);
        connect.removeWorker(running);
        workload.join(Duration.ofMinutes(2).toMillis());
        if (workload.isAlive() || committed.get() < transactions) {
            throw new AssertionError("the workload did not finish: " + committed.get() + " of " + transactions);
        }
    }

    /** A connector of table t, its topics under {@code name}, with schemaless JSON. */
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
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : recordsUntil(connect, topic, count, limit)) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    /** The records with a value of {@code topic}, read as {@link #consumeUntil} reads them. */
    static List<ConsumerRecord<byte[], byte[]>> recordsUntil(
            EmbeddedConnectCluster connect, String topic, int count, Duration limit) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props);
        try {
            TopicPartition tp = new TopicPartition(topic, 0);
            long deadline = System.nanoTime() + limit.toNanos();
            ConnectCluster.await(limit, () -> !consumer.partitionsFor(topic).isEmpty(), "topic " + topic);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (System.nanoTime() < deadline && out.size() < count) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(r);
                    }
                }
            }
            // What follows the count within a short read would be a duplicate.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.value() != null) {
                    out.add(r);
                }
            }
        } finally {
            // No group: a close that waited would wait for the fetch sent ahead, held by the broker up to 500 ms.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        return out;
    }
}
