package io.pgferry.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry scan --config FILE} with several databases. Guards issue 8, defect 4: pgsense-rs tried a database
 * once, then left it unmonitored. Here a database that is not there at start is retried with backoff while the other
 * is scanned, and scanned once it appears.
 */
@PgTest
@Tag("scan")
class ScanConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aDatabaseDownAtStartIsRetriedWhileAnotherIsScanned(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
        String later = db.name() + "_later";
        Path findings = dir.resolve("findings.jsonl");
        Path config = dir.resolve("scan.yaml");
        Files.writeString(
                config,
                String.format(
                        Locale.ROOT,
                        """
                dedup-window: 0s
                databases:
                  - source: %s
                    tables: [public.t]
                  - source: %s
                    tables: [public.t]
                    snapshot: true
                channels:
                  - type: jsonl
                    name: file
                    path: %s
                """,
                        db.uri(),
                        db.server().uri(later),
                        findings));
        Process p = ChildCli.start(
                dir.resolve("stdout.txt"),
                dir.resolve("stderr.txt"),
                Map.of("PGFERRY_STATE_DIR", dir.resolve("state").toString()),
                "scan",
                "--config",
                config.toString());
        try {
            ChildCli.awaitWhileAlive(() -> db.slotReady("pgferry\\_scan\\_%"), p, dir.resolve("stderr.txt"));
            db.execute("INSERT INTO t VALUES (1, 'mail jane.roe@example.org')");
            ChildCli.awaitWhileAlive(() -> lines(findings).size() == 1, p, dir.resolve("stderr.txt"));

            db.execute("CREATE DATABASE " + later);
            try (Connection c = db.server().connect(later);
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
                st.execute("INSERT INTO t VALUES (2, 'card 4111 1111 1111 1111')");
            }
            try {
                ChildCli.awaitWhileAlive(() -> lines(findings).size() == 2, p, dir.resolve("stderr.txt"));
            } catch (AssertionError e) {
                throw new AssertionError("stderr: " + Files.readString(dir.resolve("stderr.txt")), e);
            }
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            db.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + later
                            + "'",
                    "DROP DATABASE IF EXISTS " + later + " WITH (FORCE)");
        }
        List<JsonNode> found = lines(findings);
        assertThat(found.get(0).get("database").asText()).endsWith("/" + db.name());
        assertThat(found.get(0).get("rule").asText()).isEqualTo("email");
        assertThat(found.get(1).get("database").asText()).endsWith("/" + later);
        assertThat(found.get(1).get("op").asText()).isEqualTo("read");
        assertThat(Files.readString(dir.resolve("stderr.txt")))
                .contains("database 127.0.0.1:" + db.server().port() + "/" + later, "trying again in");
    }

    @Test
    void badConfigurationIsRefusedWithTheKeyAndNothingIsCreated(TestDatabase db) throws Exception {
        Path config = dir.resolve("scan.yaml");
        Files.writeString(
                config,
                String.format(
                        Locale.ROOT,
                        """
                databases:
                  - source: %s
                    tabels: [public.t]
                """,
                        db.uri()));
        CliRun run = CliRun.run("scan", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains("databases #1 has unknown key 'tabels'"));

        Files.writeString(config, "databases:\n  - source: " + db.uri() + "\n");
        CliRun both = CliRun.run("scan", "--config", config.toString(), "--source", db.uri());
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("given with a databases: section");

        Files.writeString(config, "channels:\n  - type: webhook\n    url: env:PGFERRY_TEST_NO_SUCH_VARIABLE\n");
        CliRun secret = CliRun.run("scan", "--config", config.toString(), "--source", db.uri());
        assertThat(secret.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(secret.err()).contains("PGFERRY_TEST_NO_SUCH_VARIABLE, which is not set");
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank()) {
                    out.add(JSON.readTree(l));
                }
            }
        }
        return out;
    }
}
