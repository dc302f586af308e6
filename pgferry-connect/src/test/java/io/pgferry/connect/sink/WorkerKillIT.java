package io.pgferry.connect.sink;

import static io.pgferry.connect.sink.SinkPipeline.K_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.T_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.WAIT;
import static io.pgferry.connect.sink.SinkPipeline.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.connect.StandaloneWorker;
import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each connector in a worker JVM of its own, loaded from the plugin archive, killed with SIGKILL in the middle of a
 * workload and started again: the sink connector leaves the destination equal to the source with no change applied
 * twice (a table without a key shows any repeat), and the source connector loses no change (issue 10).
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class WorkerKillIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSinkWorkerKilledMidwayAppliesEveryChangeOnce(TestDatabase db, @TempDir Path dir) throws Exception {
        EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();
        String prefix = SinkPipeline.startSource(connect, db, "kill");
        try (TestDatabase target = TestDatabase.create(db.server())) {
            Map<String, String> sink = SinkPipeline.sinkConfig(
                    prefix, ConnectCluster.source(target), db.server().password());
            // A killed worker's consumer is noticed after the session timeout: the broker's least.
            sink.put("consumer.override.session.timeout.ms", "6000");
            sink.put("consumer.override.heartbeat.interval.ms", "1000");
            String bootstrap = connect.kafka().bootstrapServers();
            String name = prefix + "-sink";
            AtomicInteger done = new AtomicInteger();
            int transactions = 150;
            Thread workload = workload(db, transactions, done);
            StandaloneWorker first = StandaloneWorker.start(dir, bootstrap, Map.of());
            try {
                create(first, name, sink);
                workload.start();
                ConnectCluster.await(WAIT, () -> done.get() >= transactions / 3, "a third of the workload");
                ConnectCluster.await(
                        WAIT,
                        () -> rows(target::connect, "SELECT count(*) > 0 FROM k")
                                .equals(List.of("t")),
                        "the sink to apply something: " + first.get("/connectors/" + name + "/status"));
            } finally {
                first.kill();
            }
            try (StandaloneWorker second = StandaloneWorker.start(dir, bootstrap, Map.of())) {
                create(second, name, sink);
                workload.join(WAIT.toMillis());
                assertThat(done.get()).isEqualTo(transactions);
                List<String> t = rows(db::connect, T_ROWS);
                List<String> k = rows(db::connect, K_ROWS);
                ConnectCluster.await(
                        WAIT,
                        () -> rows(target::connect, T_ROWS).equals(t)
                                && rows(target::connect, K_ROWS).equals(k),
                        "the destination to equal the source: " + second.get("/connectors/" + name + "/status"));
                assertThat(second.log()).doesNotContain(db.server().password()).doesNotContain("row 42");
            }
        }
        ConnectCluster.delete(connect, prefix + "-source");
    }

    @Test
    void aSourceWorkerKilledMidwayLosesNoChange(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String prefix = ConnectCluster.freshName("killsrc");
        // A standalone worker has no exactly-once source support: at least once, schemaless JSON.
        Map<String, String> source = SinkPipeline.sourceConfig(db, prefix);
        source.put("tables", "public.t");
        source.put("topic.creation.default.partitions", "1");
        for (String key : List.of(
                "exactly.once.support",
                "transaction.boundary",
                "topic.creation.groups",
                "topic.creation.keyless.include",
                "topic.creation.keyless.partitions",
                "key.converter",
                "key.converter.schemas.enable",
                "value.converter",
                "value.converter.schemas.enable")) {
            source.remove(key);
        }
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        AtomicInteger done = new AtomicInteger();
        int transactions = 150;
        Thread workload = new Thread(() -> {
            try {
                for (int i = 0; i < transactions; i++) {
                    db.execute("INSERT INTO t VALUES (" + i + ", " + i + ", 'row " + i + "')");
                    done.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String topic = prefix + ".public.t";
        StandaloneWorker first = StandaloneWorker.start(dir, bootstrap, Map.of());
        try {
            create(first, prefix, source);
            ConnectCluster.await(
                    WAIT,
                    () -> first.get("/connectors/" + prefix + "/status").contains("RUNNING")
                            && slotReady(db, "s_" + prefix),
                    "the source task and its slot");
            workload.start();
            ConnectCluster.await(WAIT, () -> ids(topic).size() >= transactions / 3, "a third of the changes");
        } finally {
            first.kill();
        }
        try (StandaloneWorker second = StandaloneWorker.start(dir, bootstrap, Map.of())) {
            create(second, prefix, source);
            workload.join(WAIT.toMillis());
            assertThat(done.get()).isEqualTo(transactions);
            ConnectCluster.await(
                    WAIT,
                    () -> ids(topic).size() == transactions,
                    "every change in Kafka: " + second.get("/connectors/" + prefix + "/status"));
            assertThat(second.log()).doesNotContain(db.server().password());
        }
    }

    private static Thread workload(TestDatabase db, int transactions, AtomicInteger done) {
        return new Thread(() -> {
            try {
                for (int i = 0; i < transactions; i++) {
                    db.execute(SinkPipeline.transaction(i));
                    done.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void create(StandaloneWorker w, String name, Map<String, String> config) throws Exception {
        var r = w.putConfig(name, JSON.writeValueAsString(config));
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    /** The distinct ids of the inserts on {@code topic} (a record written twice counts once). */
    private static Set<Integer> ids(String topic) {
        Set<Integer> out = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.shared().records(topic, "read_uncommitted")) {
            if (r.value() == null) {
                continue;
            }
            try {
                JsonNode v = JSON.readTree(r.value());
                if ("c".equals(v.path("op").asText())) {
                    out.add(v.path("after").path("id").asInt());
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static boolean slotReady(TestDatabase db, String slot) {
        try {
            return db.slotReady(slot);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
