package io.pgferry.connect.sink;

import static io.pgferry.connect.sink.SinkPipeline.K_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.T_ROWS;
import static io.pgferry.connect.sink.SinkPipeline.WAIT;
import static io.pgferry.connect.sink.SinkPipeline.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink connector's settings other than the defaults, on the shared Connect cluster with pgferry's source
 * connector feeding it (issue 10): {@code ddl=stop}, {@code insert.mode=insert}, and a TRUNCATE at the source.
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SinkSettingsTest {
    final EmbeddedConnectCluster connect = ConnectCluster.exactlyOnce();

    /** {@code ddl=stop}: a table missing at the destination fails the task, naming it; nothing is created. */
    @Test
    void ddlStopFailsTheTaskNamingTheMissingTable(TestDatabase db) throws Exception {
        try (TestDatabase target = TestDatabase.create(db.server())) {
            String prefix = start(db, target, "ddl", "stop");
            String sink = prefix + "-sink";
            db.execute(SinkPipeline.transaction(0));
            ConnectCluster.await(
                    WAIT, () -> SinkPipeline.taskStates(connect, sink).contains("FAILED"), "a sink task to fail");
            assertThat(SinkPipeline.taskStates(connect, sink))
                    .contains("does not exist at")
                    .contains("create it, or set ddl to apply");
            assertThat(target.queryLong("SELECT count(*) FROM pg_tables WHERE tablename IN ('t', 'k')"))
                    .isZero();
            ConnectCluster.delete(connect, sink);
            ConnectCluster.delete(connect, prefix + "-source");
        }
    }

    /**
     * {@code insert.mode=insert}: plain inserts, which a row the destination holds already makes fail (where the
     * default upsert would overwrite it); and a TRUNCATE at the source empties the destination's table.
     */
    @Test
    void plainInsertsStopAtARowTheDestinationHoldsAndATruncateEmptiesTheTable(TestDatabase db) throws Exception {
        try (TestDatabase target = TestDatabase.create(db.server())) {
            String prefix = start(db, target, "insert.mode", "insert");
            String sink = prefix + "-sink";
            db.execute(SinkPipeline.transaction(0), SinkPipeline.transaction(1));
            List<String> before = rows(db::connect, T_ROWS);
            ConnectCluster.await(
                    WAIT,
                    () -> rows(target::connect, T_ROWS).equals(before),
                    "the rows at the destination; sink tasks: " + SinkPipeline.taskStates(connect, sink));

            db.execute("TRUNCATE t");
            ConnectCluster.await(
                    WAIT,
                    () -> rows(target::connect, T_ROWS).isEmpty(),
                    "the truncated table at the destination; sink tasks: " + SinkPipeline.taskStates(connect, sink));
            // Table k's records come on a topic of their own, which the sink may apply after t's: wait for them
            // rather than read k at once (a CI run failed on "relation k does not exist" here).
            List<String> keyless = rows(db::connect, K_ROWS);
            ConnectCluster.await(
                    WAIT,
                    () -> rows(target::connect, K_ROWS).equals(keyless),
                    "table k at the destination; sink tasks: " + SinkPipeline.taskStates(connect, sink));

            target.execute("INSERT INTO t VALUES (500, 0, 'already here')");
            db.execute("INSERT INTO t VALUES (500, 1, 'from the source')");
            ConnectCluster.await(
                    WAIT, () -> SinkPipeline.taskStates(connect, sink).contains("FAILED"), "a sink task to fail");
            assertThat(SinkPipeline.taskStates(connect, sink)).contains("constraint violation");
            assertThat(rows(target::connect, T_ROWS)).containsExactly("500|0|already here");
            ConnectCluster.delete(connect, sink);
            ConnectCluster.delete(connect, prefix + "-source");
        }
    }

    /**
     * Starts the source connector and a sink connector into {@code target} with {@code key} set to {@code value};
     * returns the connectors' prefix.
     */
    private String start(TestDatabase db, TestDatabase target, String key, String value) throws Exception {
        String prefix = SinkPipeline.startSource(connect, db, "settings");
        Map<String, String> config = SinkPipeline.sinkConfig(
                prefix, ConnectCluster.source(target), db.server().password());
        config.put(key, value);
        ConnectCluster.configure(connect, prefix + "-sink", config);
        return prefix;
    }
}
