package io.pgferry.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive the build makes works as Connect loads plugins in production: a worker in a JVM of its own, with
 * the Connect runtime on its classpath and nothing of pgferry's (nor pgjdbc, Jackson's copy aside, or what the plugin
 * brings), loads the connector from {@code plugin.path} alone, and streams a change into Kafka, masked by a scanning
 * rule of {@code mask.file} (the rule set and its detectors load from the plugin too). A jar missing from the archive,
 * or one the worker's classpath would have to supply, fails here (issue 10).
 */
@PgTest
class PluginArchiveIT {
    @Test
    void aWorkerLoadsTheConnectorFromPluginPathAndStreams(TestDatabase db, @TempDir Path dir) throws Exception {
        // The build's folder holds the plugin's folder, as a plugin.path entry does.
        Path plugins = StandaloneWorker.plugins();
        assertThat(plugins.resolve(plugins.getFileName()).resolve("manifest.json"))
                .exists();
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        Path masks = dir.resolve("masks.yaml");
        Files.writeString(masks, "rules:\n  - rule: credit-card\n    transform: redact\n");

        assertThat(StandaloneWorker.workerClasspath()).doesNotContain("pgferry").contains("connect-runtime");
        try (StandaloneWorker worker =
                StandaloneWorker.start(dir, KafkaBroker.shared().bootstrapServers(), Map.of())) {
            assertThat(worker.get("/connector-plugins"))
                    .contains("io.pgferry.connect.source.PgferrySourceConnector")
                    .contains("io.pgferry.connect.sink.PgferryJdbcSinkConnector");

            String config = "{\"connector.class\":\"io.pgferry.connect.source.PgferrySourceConnector\","
                    + "\"tasks.max\":\"1\",\"source\":\"" + ConnectCluster.source(db) + "\",\"source.password\":\""
                    + db.server().password() + "\",\"tables\":\"public.t\",\"slot\":\"archive\","
                    + "\"publication\":\"archive\",\"topic.prefix\":\"archive\","
                    + "\"topic.creation.default.replication.factor\":\"1\","
                    + "\"topic.creation.default.partitions\":\"1\",\"mask.file\":\"" + masks + "\"}";
            HttpResponse<String> created = worker.putConfig("archive", config);
            assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
            ConnectCluster.await(
                    Duration.ofSeconds(60),
                    () -> worker.running("archive", 1) && slotReady(db, "archive"),
                    "the task and its slot: " + worker.get("/connectors/archive/status"));
            db.execute("INSERT INTO t VALUES (1, 'through the archive, paid with 4111 1111 1111 1111')");
            ConnectCluster.await(
                    Duration.ofSeconds(60),
                    () -> !KafkaBroker.shared()
                            .records("archive.public.t", "read_committed")
                            .isEmpty(),
                    "the record");
            assertThat(new String(
                            KafkaBroker.shared()
                                    .records("archive.public.t", "read_committed")
                                    .get(0)
                                    .value(),
                            StandardCharsets.UTF_8))
                    .contains("\"op\":\"c\"", "paid with *******************")
                    // The unmasked text; the bare digits may come up in a position or a time of the envelope.
                    .doesNotContain("with 4111");
            worker.stop();
            assertThat(worker.log())
                    .as("the worker's log")
                    .doesNotContain(db.server().password());
        }
    }

    private static boolean slotReady(TestDatabase db, String slot) {
        try {
            return db.slotReady(slot);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
