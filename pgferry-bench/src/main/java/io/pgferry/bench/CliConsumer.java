package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pgferry command line, {@code pgferry stream --until-caught-up --output /dev/null}: the library plus JSON
 * encoding plus JVM start-up, timed from process start to exit.
 *
 * <p>It stops at the server's WAL position when it starts, which is the end of the scenario's load as long as
 * nothing else writes to the database meanwhile; the {@code end} given to {@link #run} is not passed on.
 */
final class CliConsumer implements StreamConsumer {
    /** The summary the CLI prints on stderr at the end: "pgferry: 1000 transactions, 1000000 changes, ...". */
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) transactions, (\\d+) changes");

    private final Target target;
    private final Path launcher;
    private final Path cliJar;
    private final String javaOptions;
    private final Duration timeout;
    private final boolean http;

    /**
     * @param cliJar the jar for the launcher to run, or null for its default
     * @param javaOptions JAVA_OPTS for the CLI's JVM, or null to inherit this process's
     */
    CliConsumer(Target target, Path launcher, Path cliJar, String javaOptions, Duration timeout) {
        this(target, launcher, cliJar, javaOptions, timeout, false);
    }

    /** @param http run with {@code --http} on a free port and scrape {@code /metrics} every second meanwhile */
    CliConsumer(Target target, Path launcher, Path cliJar, String javaOptions, Duration timeout, boolean http) {
        this.target = target;
        this.launcher = launcher;
        this.cliJar = cliJar;
        this.javaOptions = javaOptions;
        this.timeout = timeout;
        this.http = http;
    }

    @Override
    public String name() {
        return http ? HTTP_NAME : "pgferry CLI";
    }

    /** The name of the run with metrics served and scraped. */
    static final String HTTP_NAME = "pgferry CLI --http";

    @Override
    public Measurement run(String slot, Lsn end) throws IOException, InterruptedException {
        try (ScratchDirectory spill = ScratchDirectory.create("pgferry-bench-cli-spill")) {
            List<String> command = new ArrayList<>(List.of(
                    launcher.toString(),
                    "stream",
                    "--publication",
                    target.publication(),
                    "--slot",
                    slot,
                    "--until-caught-up",
                    "--output",
                    "/dev/null",
                    "--spill-dir",
                    spill.path().toString(),
                    "--checkpoint",
                    spill.path().resolve("checkpoint").toString()));
            int port = http ? freePort() : -1;
            if (http) {
                command.addAll(List.of("--http", "127.0.0.1:" + port));
            }
            Map<String, String> env = new HashMap<>();
            env.put(Dsn.SOURCE_DSN_VARIABLE, target.dsnText());
            if (cliJar != null) {
                env.put("PGFERRY_JAR", cliJar.toString());
            }
            if (javaOptions != null) {
                env.put("JAVA_OPTS", javaOptions);
            }
            ChildProcess.Result r;
            Scraper scraper = http ? new Scraper(port) : null;
            try {
                r = ChildProcess.run(command, env, timeout, false);
            } finally {
                if (scraper != null) {
                    scraper.close();
                }
            }
            if (r.exitCode() != 0) {
                throw new IOException(
                        "pgferry stream exited with " + r.exitCode() + ":\n" + Dsn.maskSecretsIn(r.stderrTail()));
            }
            Matcher m = SUMMARY.matcher(r.stderr());
            return new Measurement(r.seconds(), m.find() ? Long.parseLong(m.group(2)) : -1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Scrapes {@code /metrics} every second, as a busy Prometheus would, until closed; failures are ignored. */
    private static final class Scraper implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-scraper");
            t.setDaemon(true);
            return t;
        });

        Scraper(int port) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            timer.scheduleAtFixedRate(
                    () -> {
                        try {
                            client.send(get, HttpResponse.BodyHandlers.discarding());
                        } catch (IOException e) {
                            // Not listening yet, or already gone: the next tick tries again.
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    1,
                    1,
                    TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
