package io.pgferry.connect.sink;

import static io.pgferry.connect.sink.SinkPipeline.K_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.T_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.WAIT;
import static io.pgferry.connect.sink.SinkPipeline.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgferry's source connector into Kafka, and the JDBC sink connector from Kafka into PostgreSQL and MariaDB, on a
 * two-worker Connect cluster with exactly-once source support: with the worker running a sink task stopped
 * mid-way, the destination ends equal to the source, with no duplicate row in the table without a key (issue 10).
 * SQLite too, a file both workers reach (as a shared volume would).
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SinkConnectorTest {
    private static final int TRANSACTIONS = 120;
    final EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();

    @Test
    void intoPostgresEqualToTheSourceAfterAWorkerStopsMidway(TestDatabase db) throws Exception {
        try (TestDatabase target = TestDatabase.create(db.server())) {
            String sink =
                    pipeline(db, ConnectCluster.source(target), db.server().password(), target::connect, 2);
            // Connect takes an offset a task seeks to on open as committed without committing it, so the group of the
            // task that took the stopped worker's partitions, at offsets the destination already held, commits them
            // with the next records (CI once waited in vain without these).
            for (int i = TRANSACTIONS; i < TRANSACTIONS + 10; i++) {
                db.execute(SinkPipeline.transaction(i));
            }
            awaitEqual(db, target::connect, sink);
            committedOffsetsFollowTheDestination(sink, target);
            ConnectCluster.delete(connect, sink);
            ConnectCluster.delete(connect, sink.replace("-sink", "-source"));
        }
    }

    /**
     * The task's preCommit reports to Kafka only offsets the destination holds: the sink's consumer group never
     * commits past the destination's {@code connect_offsets}, and once the records are applied it commits them all
     * (so a task that lost its destination would not skip records). Issue #10.
     */
    private void committedOffsetsFollowTheDestination(String sink, TestDatabase target) throws Exception {
        try (Admin admin = connect.kafka().createAdminClient()) {
            ConnectCluster.await(
                    WAIT,
                    () -> {
                        try {
                            Map<TopicPartition, Long> committed = new HashMap<>();
                            admin.listConsumerGroupOffsets("connect-" + sink)
                                    .partitionsToOffsetAndMetadata()
                                    .get()
                                    .forEach((tp, o) -> committed.put(tp, o.offset()));
                            Map<TopicPartition, Long> held = new HashMap<>();
                            for (String row : rows(
                                    target::connect,
                                    "SELECT topic || ' ' || kafka_partition || ' ' || next_offset"
                                            + " FROM pgferry.connect_offsets WHERE connector = '" + sink + "'")) {
                                String[] f = row.split(" ");
                                held.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
                            }
                            committed.forEach((tp, offset) -> assertThat(offset)
                                    .as("committed offset of %s", tp)
                                    .isLessThanOrEqualTo(held.getOrDefault(tp, 0L)));
                            return !held.isEmpty() && committed.equals(held);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "the sink's committed offsets to reach the destination's");
        }
    }

    @Test
    void intoMariaDbEqualToTheSourceAfterAWorkerStopsMidway(TestDatabase db) throws Exception {
        onMariaDb((uri, password, connection) -> pipelineDeleted(db, uri, password, connection, 2));
    }

    @Test
    void intoSqliteEqualToTheSourceAfterAWorkerStopsMidway(TestDatabase db, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("replica.db");
        // One task: SQLite takes one writer at a time.
        pipelineDeleted(db, "sqlite:" + file, null, () -> DriverManager.getConnection("jdbc:sqlite:" + file), 1);
    }

    /** Runs the pipeline, then deletes its connectors. */
    private void pipelineDeleted(
            TestDatabase db, String target, String password, Callable<Connection> targetConnection, int tasks)
            throws Exception {
        String sink = pipeline(db, target, password, targetConnection, tasks);
        ConnectCluster.delete(connect, sink);
        ConnectCluster.delete(connect, sink.replace("-sink", "-source"));
    }

    /**
     * Runs the pipeline; returns the name of the sink connector ({@code <prefix>-sink}), left running with its source
     * connector ({@code <prefix>-source}).
     */
    private String pipeline(
            TestDatabase db, String target, String password, Callable<Connection> targetConnection, int tasks)
            throws Exception {
        ConnectCluster.ensureTwoWorkers(connect);
        String prefix = SinkPipeline.startSource(connect, db, "pipe");
        String sink = prefix + "-sink";
        ConnectCluster.configure(connect, sink, SinkPipeline.sinkConfig(prefix, target, password));
        ConnectCluster.await(WAIT, () -> SinkPipeline.tasksRunning(connect, sink, tasks), "the sink tasks to run");

        SinkPipeline.runStoppingWorkerMidway(connect, db, sink, TRANSACTIONS);
        assertThat(rows(db::connect, T_ROWS)).hasSize(TRANSACTIONS * 2 + 1);
        assertThat(rows(db::connect, K_ROWS)).hasSize(TRANSACTIONS * 2);
        awaitEqual(db, targetConnection, sink);
        return sink;
    }

    /** Waits until the destination has the source's rows, and checks that no sink task failed. */
    private void awaitEqual(TestDatabase db, Callable<Connection> targetConnection, String sink) throws Exception {
        List<String> t = rows(db::connect, T_ROWS);
        List<String> k = rows(db::connect, K_ROWS);
        ConnectCluster.await(
                WAIT,
                () -> rows(targetConnection, T_ROWS).equals(t)
                        && rows(targetConnection, K_ROWS).equals(k),
                "the destination to equal the source; sink tasks: " + SinkPipeline.taskStates(connect, sink));
        assertThat(SinkPipeline.taskStates(connect, sink)).doesNotContain("FAILED");
    }

    @Test
    void aRecordThatIsNoChangeEventGoesToTheDeadLetterQueueWhenErrorsAreTolerated(TestDatabase db) throws Exception {
        String prefix = SinkPipeline.startSource(connect, db, "dlq");
        String junk = junkTopic(prefix);
        try (TestDatabase target = TestDatabase.create(db.server())) {
            Map<String, String> sink = SinkPipeline.sinkConfig(
                    prefix, ConnectCluster.source(target), db.server().password());
            sink.put("topics", prefix + ".public.t," + junk);
            sink.put("errors.tolerance", "all");
            sink.put("errors.deadletterqueue.topic.name", prefix + ".dlq");
            sink.put("errors.deadletterqueue.topic.replication.factor", "1");
            ConnectCluster.configure(connect, prefix + "-sink", sink);
            for (int i = 0; i < 5; i++) {
                db.execute(SinkPipeline.transaction(i));
            }
            List<String> t = rows(db::connect, T_ROWS);
            ConnectCluster.await(
                    WAIT,
                    () -> rows(target::connect, T_ROWS).equals(t),
                    "the destination to equal the source; sink tasks: "
                            + SinkPipeline.taskStates(connect, prefix + "-sink"));
            assertThat(connect.kafka()
                            .consume(1, WAIT.toMillis(), prefix + ".dlq")
                            .count())
                    .isEqualTo(1);
            assertThat(SinkPipeline.taskStates(connect, prefix + "-sink")).doesNotContain("FAILED");
            ConnectCluster.delete(connect, prefix + "-sink");
        }
        ConnectCluster.delete(connect, prefix + "-source");
    }

    @Test
    void withoutToleranceARecordThatIsNoChangeEventFailsTheTaskNamingIt(TestDatabase db) throws Exception {
        String prefix = ConnectCluster.freshName("junk");
        String junk = junkTopic(prefix);
        try (TestDatabase target = TestDatabase.create(db.server())) {
            assertThat(failedSink(db, target, prefix, junk, Map.of()))
                    .contains("the record at " + junk
                            + "-0 offset 0 is not a change event in Debezium's envelope (its value is a string)");
        }
    }

    /**
     * Starts a one-task sink {@code <prefix>-sink} of {@code topic} into {@code target}, with {@code settings} on top
     * of the usual ones; waits for its task to fail, deletes it, and returns the task's state with its error.
     */
    private String failedSink(
            TestDatabase db, TestDatabase target, String prefix, String topic, Map<String, String> settings) {
        Map<String, String> sink = SinkPipeline.sinkConfig(
                prefix, ConnectCluster.source(target), db.server().password());
        sink.put("topics", topic);
        sink.put("tasks.max", "1");
        sink.putAll(settings);
        ConnectCluster.configure(connect, prefix + "-sink", sink);
        ConnectCluster.await(
                WAIT,
                () -> SinkPipeline.taskStates(connect, prefix + "-sink").startsWith("0 FAILED"),
                "the task to fail");
        String state = SinkPipeline.taskStates(connect, prefix + "-sink");
        ConnectCluster.delete(connect, prefix + "-sink");
        return state;
    }

    /**
     * Issue 10: topics written as JSON without schemas (a source connector run with {@code schemas.enable=false})
     * carry no column types, which the sink takes from the record's schema. Read back that way, the change event is
     * refused with the converter setting that fixes it, naming the record, and nothing is written.
     */
    @Test
    void aChangeEventReadWithoutItsSchemaFailsTheTaskWithTheConverterToUse(TestDatabase db) throws Exception {
        String prefix = ConnectCluster.freshName("schemaless");
        String topic = prefix + ".public.t";
        connect.kafka().createTopic(topic, 1);
        connect.kafka()
                .produce(
                        topic,
                        "{\"id\":1}",
                        "{\"before\":null,\"after\":{\"id\":1,\"tx\":0,\"v\":\"row 1\"},\"source\":{\"schema\":"
                                + "\"public\",\"table\":\"t\"},\"op\":\"c\"}");
        try (TestDatabase target = TestDatabase.create(db.server())) {
            Map<String, String> schemaless =
                    Map.of("key.converter.schemas.enable", "false", "value.converter.schemas.enable", "false");
            assertThat(failedSink(db, target, prefix, topic, schemaless))
                    .contains("the record at " + topic + "-0 offset 0 has no Connect schema")
                    .contains("schemas.enable=true");
            assertThat(target.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 't'"))
                    .isZero();
        }
    }

    /** A topic {@code <prefix>.junk} holding one record that is a string, not a change event. */
    private String junkTopic(String prefix) {
        String junk = prefix + ".junk";
        connect.kafka().createTopic(junk, 1);
        connect.kafka().produce(junk, null, "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"x\"}");
        return junk;
    }

    /**
     * Issue 10: the sink's path for a column added at the source while streaming (the ALTER TABLE at the destination,
     * in or outside the batch per the dialect) was not exercised on a Connect cluster. A column added at the source
     * reaches the destination with its values, and rows written before it keep NULL there: in PostgreSQL inside the
     * batch, in MariaDB (where DDL commits) outside it, the batch then applied again. Regression: a column added with
     * a default left NULL in the rows the destination held, where the source's rows read the default; pgferry's source
     * connector now gives that value with the field, and the rows get it, also those of the same batch written
     * before the change that brought the column.
     */
    @Test
    void aColumnAddedAtTheSourceIsAddedAtThePostgresDestination(TestDatabase db) throws Exception {
        try (TestDatabase target = TestDatabase.create(db.server())) {
            addedColumn(db, ConnectCluster.source(target), db.server().password(), target::connect);
        }
    }

    @Test
    void aColumnAddedAtTheSourceIsAddedAtTheMariaDbDestination(TestDatabase db) throws Exception {
        onMariaDb((uri, password, connection) -> addedColumn(db, uri, password, connection));
    }

    /** A test against one destination: its URI, password and a way to connect to it. */
    @FunctionalInterface
    private interface DestinationTest {
        void run(String uri, String password, Callable<Connection> connection) throws Exception;
    }

    /** Runs {@code test} on a database of its own at the shared MariaDB server, dropped afterwards. */
    private static void onMariaDb(DestinationTest test) throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try {
            String uri = "mariadb://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + database;
            test.run(uri, maria.password(), () -> maria.connect(database));
        } finally {
            maria.drop(database);
        }
    }

    private void addedColumn(TestDatabase db, String target, String password, Callable<Connection> targetConnection)
            throws Exception {
        String prefix = SinkPipeline.startSource(connect, db, "addcol");
        String sink = prefix + "-sink";
        ConnectCluster.configure(connect, sink, SinkPipeline.sinkConfig(prefix, target, password));
        db.execute(SinkPipeline.transaction(0));
        ConnectCluster.await(
                WAIT,
                () -> rows(targetConnection, T_ROWS).equals(rows(db::connect, T_ROWS)),
                "the first rows at the destination; sink tasks: " + SinkPipeline.taskStates(connect, sink));
        db.execute(
                "INSERT INTO t VALUES (999, 1, 'before')",
                "ALTER TABLE t ADD COLUMN w int",
                "ALTER TABLE t ADD COLUMN d text DEFAULT 'it''s here'",
                "INSERT INTO t VALUES (1000, 1, 'after', 7, NULL)",
                "UPDATE t SET w = 8 WHERE id = 0");
        String withW = "SELECT id, v, w, d FROM t ORDER BY id";
        ConnectCluster.await(
                WAIT,
                () -> rows(targetConnection, withW).equals(rows(db::connect, withW)),
                "the added column at the destination; sink tasks: " + SinkPipeline.taskStates(connect, sink));
        assertThat(rows(targetConnection, "SELECT w FROM t WHERE id = 1000")).containsExactly("7");
        assertThat(rows(targetConnection, "SELECT count(*) FROM t WHERE w IS NULL"))
                .containsExactly(String.valueOf(rows(db::connect, T_ROWS).size() - 2));
        assertThat(rows(targetConnection, "SELECT count(*) FROM t WHERE d = 'it''s here'"))
                .containsExactly(String.valueOf(rows(db::connect, T_ROWS).size() - 1));
        assertThat(SinkPipeline.taskStates(connect, sink)).doesNotContain("FAILED");
        ConnectCluster.delete(connect, sink);
        ConnectCluster.delete(connect, prefix + "-source");
    }

    @Test
    void validateNamesTheKeyOfEachProblem() {
        Map<String, String> base = SinkPipeline.sinkConfig("v", "host=127.0.0.1 port=1 dbname=x user=u", null);
        base.put("name", "v-sink");
        assertThat(errors(with(base, "tabels", "x"))).containsKey("tabels");
        assertThat(errors(with(base, "target", "mysql://u:secret@h/db")).get("target"))
                .contains("holds a password");
        assertThat(errors(with(base, "target", "host=h dbname=x sslpassword=keysecret"))
                        .get("target"))
                .contains("target.sslpassword")
                .doesNotContain("keysecret");
        assertThat(errors(with(with(base, "target", "sqlite:/tmp/x.db"), "target.sslpassword", "k"))
                        .get("target.sslpassword"))
                .contains("PostgreSQL target");
        assertThat(errors(with(base, "target", "kafka://h:9092")).get("target")).contains("not to Kafka");
        assertThat(errors(with(base, "ddl", "sometimes"))).containsKey("ddl");
        assertThat(errors(with(base, "schema.map", "nocolon")).get("schema.map"))
                .contains("SRC:DST");
        assertThat(errors(base).get("target")).contains("127.0.0.1");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> c = new java.util.HashMap<>(base);
        c.put(key, value);
        return c;
    }

    private Map<String, String> errors(Map<String, String> config) {
        Map<String, String> out = new java.util.HashMap<>();
        connect.validateConnectorConfig(PgferryJdbcSinkConnector.class.getSimpleName(), config)
                .configs()
                .forEach(v -> {
                    if (!v.configValue().errors().isEmpty()) {
                        out.put(
                                v.configValue().name(),
                                String.join("; ", v.configValue().errors()));
                    }
                });
        return out;
    }
}
