package io.pgferry.connect.sink;

import io.pgferry.connect.ConnectCluster;
import io.pgferry.connect.source.PgferrySourceConnector;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;

/**
 * What the sink connector's pipeline tests share: pgferry's source connector writing tables t (keyed, two partitions)
 * and k (no key, one partition, so that its changes keep their order) with Connect schemas, a sink connector reading
 * them, a workload, and the comparison of source and destination.
 */
final class SinkPipeline {
    static final Duration WAIT = Duration.ofSeconds(120);

    private SinkPipeline() {}

    static final String[] SOURCE_DDL = {
        "CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)",
        "CREATE TABLE k (a int, b text)",
        "ALTER TABLE k REPLICA IDENTITY FULL"
    };

    /** pgferry's source connector for t and k, exactly once, its topics under {@code prefix}. */
    static Map<String, String> sourceConfig(TestDatabase db, String prefix) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PgferrySourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("source", ConnectCluster.source(db));
        c.put("source.password", db.server().password());
        c.put("publication", "p_" + prefix);
        c.put("slot", "s_" + prefix);
        c.put("tables", "public.t, public.k");
        c.put("topic.prefix", prefix);
        c.put("exactly.once.support", "required");
        c.put("transaction.boundary", "connector");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "2");
        c.put("topic.creation.groups", "keyless");
        c.put("topic.creation.keyless.include", prefix + "\\.public\\.k");
        c.put("topic.creation.keyless.partitions", "1");
        withSchemas(c);
        return c;
    }

    /**
     * Creates t and k at the source and pgferry's source connector for them, named {@code <prefix>-source}, and waits
     * until its task runs; returns the prefix, a fresh name made of {@code base}.
     */
    static String startSource(EmbeddedConnectCluster connect, TestDatabase db, String base) throws SQLException {
        db.execute(SOURCE_DDL);
        String prefix = ConnectCluster.freshName(base);
        ConnectCluster.configure(connect, prefix + "-source", sourceConfig(db, prefix));
        ConnectCluster.await(
                WAIT, () -> ConnectCluster.taskRunning(connect, prefix + "-source"), "the source task to run");
        return prefix;
    }

    /** The sink connector for the topics of t and k, reading only committed records, two tasks. */
    static Map<String, String> sinkConfig(String prefix, String target, String password) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PgferryJdbcSinkConnector.class.getName());
        c.put("tasks.max", "2");
        c.put("topics", prefix + ".public.t," + prefix + ".public.k");
        c.put("target", target);
        if (password != null) {
            c.put("target.password", password);
        }
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("consumer.override.max.poll.records", "100");
        withSchemas(c);
        return c;
    }

    static void withSchemas(Map<String, String> c) {
        c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("key.converter.schemas.enable", "true");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "true");
        // A NULL in a field with a schema default stays NULL (Kafka 3.5, KIP-581), as docs/connect.md asks.
        c.put("value.converter.replace.null.with.default", "false");
    }

    /**
     * Transaction {@code i}: three rows into t, an update and a delete of earlier rows, two identical rows into k and
     * an update of the previous transaction's two rows of k.
     */
    static String transaction(int i) {
        StringBuilder s = new StringBuilder("BEGIN;");
        for (int r = 0; r < 3; r++) {
            s.append("INSERT INTO t VALUES (")
                    .append(3 * i + r)
                    .append(", ")
                    .append(i)
                    .append(", 'row ");
            s.append(3 * i + r).append("');");
        }
        s.append("UPDATE t SET v = 'changed " + i + "' WHERE id = ")
                .append(3 * i)
                .append(';');
        if (i > 0) {
            s.append("DELETE FROM t WHERE id = ").append(3 * i - 2).append(';');
            s.append("UPDATE k SET b = b || '!' WHERE a = ").append(i - 1).append(';');
        }
        s.append("INSERT INTO k VALUES (")
                .append(i)
                .append(", 'k")
                .append(i)
                .append("'), (")
                .append(i);
        s.append(", 'k").append(i).append("');COMMIT;");
        return s.toString();
    }

    /**
     * Runs {@code transactions} transactions and, a third of the way in, stops the worker running task 0 of {@code
     * connector}; returns once the workload is done.
     */
    static void runStoppingWorkerMidway(
            EmbeddedConnectCluster connect, TestDatabase db, String connector, int transactions) throws Exception {
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
        ConnectCluster.await(WAIT, () -> committed.get() >= transactions / 3, "a third of the workload");
        WorkerHandle running = ConnectCluster.workerOfTask(connect, connector);
        connect.removeWorker(running);
        workload.join(Duration.ofMinutes(3).toMillis());
        if (workload.isAlive() || committed.get() < transactions) {
            throw new AssertionError("the workload did not finish: " + committed.get() + " of " + transactions);
        }
    }

    /** Whether every task of {@code connector} runs. */
    static boolean tasksRunning(EmbeddedConnectCluster c, String connector, int tasks) {
        try {
            ConnectorStateInfo s = c.connectorStatus(connector);
            return s.tasks().size() == tasks
                    && s.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The states and traces of the tasks, for failure messages. */
    static String taskStates(EmbeddedConnectCluster c, String connector) {
        try {
            StringBuilder s = new StringBuilder();
            for (ConnectorStateInfo.TaskState t : c.connectorStatus(connector).tasks()) {
                s.append(t.id())
                        .append(' ')
                        .append(t.state())
                        .append(' ')
                        .append(t.trace())
                        .append('\n');
            }
            return s.toString();
        } catch (RuntimeException e) {
            return "unknown: " + e;
        }
    }

    /** The rows of {@code sql} as one string each, in the query's order. */
    static List<String> rows(Callable<Connection> connect, String sql) {
        try (Connection c = connect.call()) {
            return Rows.of(c, sql);
        } catch (SQLException e) {
            // A table not created yet reads as empty.
            return List.of("(" + e.getSQLState() + ")");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final String T_ROWS = "SELECT id, tx, v FROM t ORDER BY id";
    static final String K_ROWS = "SELECT a, b FROM k ORDER BY a, b";
}
