package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The source connector on Kafka Connect's own two-worker cluster, with exactly-once delivery required and the
 * connector's transaction boundaries: a workload streams while the worker running the task is stopped, the task moves
 * to the other worker, and a {@code read_committed} consumer sees every change once, each source transaction's
 * records together.
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SourceConnectorExactlyOnceTest {
    static final int TRANSACTIONS = 200;

    @Test
    void everyChangeOnceAndWholeTransactionsAcrossAWorkerStoppedMidWorkload(TestDatabase db) throws Exception {
        EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();
        ConnectCluster.ensureTwoWorkers(connect);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String name = ConnectCluster.freshName("eos");
        Map<String, String> config = SourceWorkload.connectorConfig(db, name);
        config.put("exactly.once.support", "required");
        config.put("transaction.boundary", "connector");
        ConnectCluster.configure(connect, name, config);
        ConnectCluster.await(
                Duration.ofSeconds(60),
                () -> ConnectCluster.taskRunning(connect, name),
                "the task to run (" + name + ")");

        SourceWorkload.runStoppingTheTaskWorkerMidway(connect, db, name, TRANSACTIONS);
        String topic = name + ".public.t";
        int expected = TRANSACTIONS * (SourceWorkload.ROWS_PER_TRANSACTION + 1);
        // A task whose Kafka transaction the broker refuses after the move (InvalidTxnStateException) fails, and is
        // restarted as an operator would: exactly-once holds across that too.
        AtomicInteger restarts = new AtomicInteger();
        ConnectCluster.await(
                Duration.ofSeconds(180),
                () -> {
                    if (ConnectCluster.taskState(connect, name).startsWith("FAILED")) {
                        restarts.incrementAndGet();
                        connect.restartTask(name, 0);
                    }
                    try {
                        return SourceWorkload.consumeUntil(connect, topic, expected, Duration.ofSeconds(3))
                                        .size()
                                >= expected;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                },
                "every change in " + topic);
        LoggerFactory.getLogger(SourceConnectorExactlyOnceTest.class)
                .info("the failed task was restarted {} times", restarts.get());
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, topic, expected, Duration.ofSeconds(5));

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
            assertThat(positions).hasSize(SourceWorkload.ROWS_PER_TRANSACTION + 1);
            assertThat(positions.get(positions.size() - 1) - positions.get(0))
                    .as("a transaction's records together")
                    .isEqualTo(SourceWorkload.ROWS_PER_TRANSACTION);
        }
        ConnectCluster.delete(connect, name);
        ConnectCluster.ensureTwoWorkers(connect);
    }

    /**
     * A Kafka transaction holds whole source transactions: by default all those one poll returns, with
     * kafka.transaction.per.source.transaction one each. A backlog of 20 source transactions, built while the connector
     * is paused, shows the difference: a read_committed consumer finds a commit marker (one offset) after each source
     * transaction in the second case, after far fewer in the first, and never inside a source transaction.
     */
    @Test
    void kafkaTransactionsEndAtSourceTransactionBoundaries(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        int transactions = 20;
        assertThat(markersAfterABacklog(db, true, transactions)).isEqualTo(transactions - 1);
        db.execute("TRUNCATE t");
        assertThat(markersAfterABacklog(db, false, transactions)).isLessThan((transactions - 1) / 2);
    }

    /** The commit markers between the records of a backlog of source transactions. */
    private static long markersAfterABacklog(TestDatabase db, boolean perSource, int transactions) throws Exception {
        EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();
        String name = ConnectCluster.freshName("boundary");
        Map<String, String> config = SourceWorkload.connectorConfig(db, name);
        config.put("exactly.once.support", "required");
        config.put("transaction.boundary", "connector");
        config.put("kafka.transaction.per.source.transaction", String.valueOf(perSource));
        ConnectCluster.configure(connect, name, config);
        ConnectCluster.await(Duration.ofSeconds(60), () -> ConnectCluster.taskRunning(connect, name), "the task");
        connect.pauseConnector(name);
        ConnectCluster.await(
                Duration.ofSeconds(60),
                () -> connect.connectorStatus(name).tasks().get(0).state().equals("PAUSED"),
                "the pause");
        for (int i = 0; i < transactions; i++) {
            db.execute(SourceWorkload.transaction(i));
        }
        String written = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        ConnectCluster.await(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        return db.queryLong("SELECT count(*) FROM pg_stat_replication r JOIN pg_replication_slots s"
                                        + " ON s.active_pid = r.pid WHERE s.slot_name = 's_" + name
                                        + "' AND r.sent_lsn >= '" + written + "'")
                                == 1;
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                },
                "the backlog sent to the task");
        connect.resumeConnector(name);
        int perTransaction = SourceWorkload.ROWS_PER_TRANSACTION + 1;
        List<ConsumerRecord<byte[], byte[]>> records = SourceWorkload.recordsUntil(
                connect, name + ".public.t", transactions * perTransaction, Duration.ofSeconds(60));
        assertThat(records).hasSize(transactions * perTransaction);
        long markers = 0;
        for (int i = 1; i < records.size(); i++) {
            long gap = records.get(i).offset() - records.get(i - 1).offset();
            if (i % perTransaction != 0) {
                assertThat(gap)
                        .as("no commit inside a source transaction (record %d)", i)
                        .isEqualTo(1);
            } else {
                assertThat(gap).isBetween(1L, 2L);
                markers += gap - 1;
            }
        }
        ConnectCluster.delete(connect, name);
        return markers;
    }
}
