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
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pgferry's source connector into Kafka, and the JDBC sink connector from Kafka into PostgreSQL and MariaDB, on a
 * two-worker Connect cluster with exactly-once source support: with the worker running a sink task stopped
 * mid-way, the destination ends equal to the source, with no duplicate row in the table without a key (issue 10).
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SinkConnectorTest {
    final EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();

    @Test
    void intoPostgresEqualToTheSourceAfterAWorkerStopsMidway(TestDatabase db) throws Exception {
        try (TestDatabase target = TestDatabase.create(db.server())) {
            pipeline(db, ConnectCluster.source(target), db.server().password(), target::connect);
        }
    }

    @Test
    void intoMariaDbEqualToTheSourceAfterAWorkerStopsMidway(TestDatabase db) throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try {
            String uri = "mariadb://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + database;
            pipeline(db, uri, maria.password(), () -> maria.connect(database));
        } finally {
            maria.drop(database);
        }
    }

    private void pipeline(TestDatabase db, String target, String password, Callable<Connection> targetConnection)
            throws Exception {
        ConnectCluster.ensureTwoWorkers(connect);
        db.execute(SinkPipeline.SOURCE_DDL);
        String prefix = ConnectCluster.freshName("pipe");
        connect.configureConnector(prefix + "-source", SinkPipeline.sourceConfig(db, prefix));
        ConnectCluster.await(
                WAIT, () -> ConnectCluster.taskRunning(connect, prefix + "-source"), "the source task to run");
        String sink = prefix + "-sink";
        connect.configureConnector(sink, SinkPipeline.sinkConfig(prefix, target, password));
        ConnectCluster.await(WAIT, () -> SinkPipeline.tasksRunning(connect, sink, 2), "the sink tasks to run");

        int transactions = 120;
        SinkPipeline.runStoppingWorkerMidway(connect, db, sink, transactions);

        List<String> t = rows(db::connect, T_ROWS);
        List<String> k = rows(db::connect, K_ROWS);
        assertThat(t).hasSize(transactions * 2 + 1);
        assertThat(k).hasSize(transactions * 2);
        ConnectCluster.await(
                WAIT,
                () -> rows(targetConnection, T_ROWS).equals(t)
                        && rows(targetConnection, K_ROWS).equals(k),
                "the destination to equal the source; sink tasks: " + SinkPipeline.taskStates(connect, sink));
        assertThat(SinkPipeline.taskStates(connect, sink)).doesNotContain("FAILED");
        connect.deleteConnector(sink);
        connect.deleteConnector(prefix + "-source");
    }

    @Test
    void validateNamesTheKeyOfEachProblem() {
        Map<String, String> base = SinkPipeline.sinkConfig("v", "host=127.0.0.1 port=1 dbname=x user=u", null);
        base.put("name", "v-sink");
        assertThat(errors(with(base, "tabels", "x"))).containsKey("tabels");
        assertThat(errors(with(base, "target", "mysql://u:secret@h/db")).get("target"))
                .contains("holds a password");
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
