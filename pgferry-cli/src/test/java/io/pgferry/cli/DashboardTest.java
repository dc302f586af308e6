package io.pgferry.cli;

import static io.pgferry.cli.Endpoints.scrape;
import static io.pgferry.cli.Endpoints.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.testkit.WebhookServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules under docs/monitoring reference only metrics that pgferry
 * serves (issue #9): a sync, a scan with a remote channel and rule file, and a guard worker with a recorded
 * verification run on real servers, their metrics scraped, and every {@code pgferry_*} name in the two files looked up
 * among the samples. The rules also pass {@code promtool check rules} (Debian's prometheus package, which .ci/run
 * installs).
 */
@PgTest
class DashboardTest {
    private static final Path MONITORING = Path.of("../docs/monitoring");
    private static final Pattern METRIC = Pattern.compile("pgferry_[a-z0-9_]+");

    @TempDir
    Path dir;

    @Test
    void theDashboardAndAlertRulesReferenceOnlyServedMetrics(TestDatabase db) throws Exception {
        Set<String> referenced = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper()
                .readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                referenced.addAll(names(target.get("expr").asText()));
            }
        }
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(MONITORING.resolve("alerts.yaml").toFile());
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                assertThat(rule.get("alert").asText()).startsWith("Pgferry");
                referenced.addAll(names(rule.get("expr").asText()));
            }
        }
        assertThat(referenced).hasSizeGreaterThan(20);

        Set<String> served = served(db);
        assertThat(referenced)
                .allSatisfy(name -> assertThat(served).as("served metrics").contains(name));
    }

    @Test
    void theAlertRulesPassPromtool() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertThat(promtool)
                .as("promtool, from Debian's prometheus package (.ci/run installs it)")
                .exists();
        Process p = new ProcessBuilder(
                        promtool.toString(),
                        "check",
                        "rules",
                        MONITORING.resolve("alerts.yaml").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    /** The sample names scraped from a running sync, scan and guard worker. */
    private Set<String> served(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE people (id int PRIMARY KEY, note text)",
                "INSERT INTO people SELECT i, 'n' FROM generate_series(1, 50) i");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules:\n  - id: email\n    severity: high\n    type: builtin\n    builtin: email\n");
        List<Process> processes = new ArrayList<>();
        Set<String> served = new TreeSet<>();
        try (TestDatabase target = TestDatabase.create(PostgresServer.second());
                TestDatabase replica = TestDatabase.create(PostgresServer.second());
                TestDatabase control = TestDatabase.create(PostgresServer.second());
                WebhookServer hook = WebhookServer.start(WebhookServer.freePort())) {
            OperationsEndpointsTest.recordDivergedVerification(db, replica, control);
            int sync = WebhookServer.freePort();
            processes.add(start(
                    "sync",
                    "sync",
                    "--source",
                    db.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.people",
                    "--slot",
                    "dash_sync",
                    "--http",
                    String.valueOf(sync)));
            int scan = WebhookServer.freePort();
            processes.add(start(
                    "scan",
                    "scan",
                    "--source",
                    db.uri(),
                    "--tables",
                    "public.people",
                    "--slot",
                    "dash_scan",
                    "--publication",
                    "dash_scan",
                    "--rules",
                    rules.toString(),
                    "--channel",
                    "webhook:http://127.0.0.1:" + hook.port() + "/hook",
                    "--http",
                    String.valueOf(scan)));
            int guard = WebhookServer.freePort();
            processes.add(start(
                    "guard",
                    "guard",
                    "run",
                    "--dsn",
                    db.uri(),
                    "--naptime",
                    "1s",
                    "--control-dsn",
                    control.uri(),
                    "--http",
                    String.valueOf(guard)));

            await(
                    () -> status(sync, "/ready") == 200
                            && status(scan, "/ready") == 200
                            && status(guard, "/ready") == 200,
                    processes,
                    "sync");
            await(
                    () -> target.queryLong("SELECT count(*) FROM pgferry.table_state WHERE state = 'streaming'") == 1,
                    processes,
                    "sync");
            db.execute("UPDATE people SET note = 'write to jane.roe@example.org' WHERE id <= 3");
            await(
                    () -> scrape(sync).contains("pgferry_sync_apply_batches_total{slot=\"dash_sync\"} ")
                            && !scrape(sync).contains("pgferry_sync_apply_batches_total{slot=\"dash_sync\"} 0.0")
                            && scrape(scan).contains("pgferry_scan_findings_total{")
                            && !hook.requests().isEmpty(),
                    processes,
                    "scan");
            for (int port : new int[] {sync, scan, guard}) {
                for (String line : scrape(port).split("\n")) {
                    if (!line.isEmpty() && !line.startsWith("#")) {
                        served.add(line.split("[{ ]", 2)[0]);
                    }
                }
            }
        } finally {
            for (Process p : processes) {
                p.destroy();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
        return served;
    }

    private static Set<String> names(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private Process start(String name, String... args) throws Exception {
        return ChildCli.start(dir.resolve(name + "-out.txt"), dir.resolve(name + "-err.txt"), Map.of(), args);
    }

    /** Waits while every process runs; on failure, reports the standard error of {@code name}. */
    private void await(ChildCli.Check check, List<Process> processes, String name) throws Exception {
        for (Process p : processes) {
            assertThat(p.isAlive()).as("a pgferry process ended early").isTrue();
        }
        ChildCli.awaitWhileAlive(check, processes.get(0), dir.resolve(name + "-err.txt"));
    }
}
