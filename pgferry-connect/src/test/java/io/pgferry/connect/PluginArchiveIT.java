package io.pgferry.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive the build makes works as Connect loads plugins in production: a worker in a JVM of its own, with
 * the Connect runtime on its classpath and nothing of pgferry's (nor pgjdbc, Jackson's copy aside, or what the plugin
 * brings), loads the connector from {@code plugin.path} alone, and streams a change into Kafka. A jar missing from
 * the archive, or one the worker's classpath would have to supply, fails here (issue 10).
 */
@PgTest
class PluginArchiveIT {
    /** Classpath entries of this test JVM a worker does not have: pgferry's, and what only the plugin brings. */
    private static final List<String> NOT_THE_WORKERS = List.of("pgferry", "postgresql-", "checker-qual", "commons-io");

    @Test
    void aWorkerLoadsTheConnectorFromPluginPathAndStreams(TestDatabase db, @TempDir Path dir) throws Exception {
        // The build's folder holds the plugin's folder, as a plugin.path entry does.
        Path plugins = Path.of(System.getProperty("pgferry.connect.plugin"));
        assertThat(plugins.resolve(plugins.getFileName()).resolve("manifest.json"))
                .exists();
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        Path worker = dir.resolve("worker.properties");
        Files.writeString(
                worker,
                String.join(
                        "\n",
                        "bootstrap.servers=" + bootstrap,
                        "key.converter=org.apache.kafka.connect.json.JsonConverter",
                        "value.converter=org.apache.kafka.connect.json.JsonConverter",
                        "key.converter.schemas.enable=false",
                        "value.converter.schemas.enable=false",
                        "offset.storage.file.filename=" + dir.resolve("offsets"),
                        "offset.flush.interval.ms=500",
                        "listeners=http://127.0.0.1:" + port,
                        "plugin.path=" + plugins,
                        ""),
                StandardCharsets.UTF_8);
        // Maven's test classpath: java.class.path may be a manifest-only jar that names it.
        String testClasspath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String classpath = Arrays.stream(testClasspath.split(File.pathSeparator))
                .filter(e -> NOT_THE_WORKERS.stream().noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classpath).doesNotContain("pgferry").contains("connect-runtime");
        Path log = dir.resolve("worker.log");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        classpath,
                        "org.apache.kafka.connect.cli.ConnectStandalone",
                        worker.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            ConnectCluster.await(Duration.ofSeconds(120), () -> ok(http, base + "/connector-plugins"), "the worker");
            String plugins2 = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/connector-plugins"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(plugins2).contains("io.pgferry.connect.source.PgferrySourceConnector");

            String config = "{\"connector.class\":\"io.pgferry.connect.source.PgferrySourceConnector\","
                    + "\"tasks.max\":\"1\",\"source\":\"" + ConnectCluster.source(db) + "\",\"source.password\":\""
                    + db.server().password() + "\",\"tables\":\"public.t\",\"slot\":\"archive\","
                    + "\"publication\":\"archive\",\"topic.prefix\":\"archive\","
                    + "\"topic.creation.default.replication.factor\":\"1\","
                    + "\"topic.creation.default.partitions\":\"1\"}";
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/connectors/archive/config"))
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(config))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
            ConnectCluster.await(
                    Duration.ofSeconds(60),
                    () -> body(http, base + "/connectors/archive/status").contains("\"state\":\"RUNNING\"")
                            && exists(db, "archive"),
                    "the task and its slot: " + body(http, base + "/connectors/archive/status"));
            db.execute("INSERT INTO t VALUES (1, 'through the archive')");
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
                    .contains("\"op\":\"c\"");
        } finally {
            p.destroy();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(Files.readString(log))
                .as("the worker's log")
                .doesNotContain(db.server().password());
    }

    private static boolean exists(TestDatabase db, String slot) {
        try {
            return db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'") == 1;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean ok(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String body(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
