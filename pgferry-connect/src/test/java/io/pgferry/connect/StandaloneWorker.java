package io.pgferry.connect;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Kafka Connect worker in standalone mode, in a JVM of its own, as production runs one: the Connect runtime alone on
 * its classpath, pgferry's connectors loaded from the plugin archive through {@code plugin.path}, offsets in a file
 * of {@code dir}. It can be stopped as an operator stops it, or killed with SIGKILL; a worker started again on the
 * same {@code dir} reads the same offsets.
 */
public final class StandaloneWorker implements AutoCloseable {
    /** Classpath entries of the test JVM a worker does not have: pgferry's, and what only the plugin brings. */
    private static final List<String> NOT_THE_WORKERS = List.of("pgferry", "postgresql-", "checker-qual", "commons-io");

    private final Process process;
    private final String base;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private StandaloneWorker(Process process, String base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** The plugin folder the build made, a {@code plugin.path} entry as it is. */
    public static Path plugins() {
        return Path.of(System.getProperty("pgferry.connect.plugin"));
    }

    /** The test JVM's classpath without what a worker lacks. */
    public static String workerClasspath() {
        // Maven's test classpath: java.class.path may be a manifest-only jar that names it.
        String testClasspath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(testClasspath.split(File.pathSeparator))
                .filter(e -> NOT_THE_WORKERS.stream().noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Starts a worker on {@code bootstrap} and waits until its REST API answers; its log is {@code dir/worker-N.log}.
     *
     * @param settings worker settings beside the defaults (schemaless JSON, offsets in {@code dir})
     */
    public static StandaloneWorker start(Path dir, String bootstrap, Map<String, String> settings) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringBuilder props = new StringBuilder();
        props.append("bootstrap.servers=").append(bootstrap).append('\n');
        props.append("key.converter=org.apache.kafka.connect.json.JsonConverter\n");
        props.append("value.converter=org.apache.kafka.connect.json.JsonConverter\n");
        props.append("key.converter.schemas.enable=false\nvalue.converter.schemas.enable=false\n");
        props.append("offset.storage.file.filename=")
                .append(dir.resolve("offsets"))
                .append('\n');
        props.append("offset.flush.interval.ms=500\n");
        props.append("listeners=http://127.0.0.1:").append(port).append('\n');
        props.append("plugin.path=").append(plugins()).append('\n');
        settings.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Path worker = Files.createTempFile(dir, "worker", ".properties");
        Files.writeString(worker, props, StandardCharsets.UTF_8);
        Path log = Files.createTempFile(dir, "worker", ".log");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        workerClasspath(),
                        "org.apache.kafka.connect.cli.ConnectStandalone",
                        worker.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        StandaloneWorker w = new StandaloneWorker(p, "http://127.0.0.1:" + port, log);
        ConnectCluster.await(Duration.ofSeconds(120), () -> w.status("/connector-plugins") == 200, "the worker");
        return w;
    }

    /** GET {@code path}: its body, or "" when the worker does not answer. */
    public String get(String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private int status(String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Creates or updates connector {@code name}; returns the HTTP status and body. */
    public HttpResponse<String> putConfig(String name, String json) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/connectors/" + name + "/config"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whether the connector and all its tasks run. */
    public boolean running(String name, int tasks) {
        String s = get("/connectors/" + name + "/status");
        return s.split("\"state\":\"RUNNING\"", -1).length - 1 == tasks + 1;
    }

    /** SIGKILL: the worker gets no chance to stop its tasks, flush or commit anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops the worker as an operator does (SIGTERM), and SIGKILL after 30 seconds. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
