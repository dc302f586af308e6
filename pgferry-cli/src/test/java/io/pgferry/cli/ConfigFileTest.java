package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one configuration file of every command (issue #9): per-command sections over shared keys, secrets from files
 * and the environment, misspelt keys named with the closest valid one, and {@code pgferry config check} printing
 * what a command would see with every secret masked. Runs against a real server where a value must work.
 */
@PgTest
class ConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void aPasswordFileCompletesTheDsnAndSectionsWinOverSharedKeys(TestDatabase db, PostgresServer server)
            throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
        Path password = write("shop.password", server.password() + "\n");
        Path out = dir.resolve("out.jsonl");
        Path yaml = write(
                "pgferry.yaml",
                "source: postgresql://" + server.superuser() + "@" + server.host() + ":" + server.port() + "/"
                        + db.name() + "?sslmode=disable\n"
                        + "source_password_file: " + password + "\n"
                        + "tables: [public.t]\n"
                        + "slot: shared_slot\n"
                        + "workers: 2\n" // a sync key: the stream does not take it, and is not refused for it
                        + "stream:\n"
                        + "  slot: stream_slot\n"
                        + "  snapshot: true\n"
                        + "  output: {file: " + write("output-path", out.toString()) + "}\n");
        CliRun run = CliRun.run("stream", "--config", yaml.toString(), "--until-caught-up");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(StreamRun.lines(out)).hasSize(2);
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'stream_slot'"))
                .isEqualTo(1);

        CliRun check = CliRun.runWithEnv(
                Map.of("PGFERRY_SLOT", "env_slot"), "config", "check", "--config", yaml.toString(), "stream");
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out())
                .contains("pgferry stream (from " + yaml + "):")
                .contains("  slot: env_slot    # environment PGFERRY_SLOT")
                .contains("  snapshot: true    # file")
                .contains("password=****")
                .contains("  output: ****    # file")
                .doesNotContain(server.password())
                .doesNotContain("workers");
    }

    /**
     * Issue 5: a file that is not valid YAML was refused with the parser's first line alone ("while parsing a flow
     * sequence"), no place, no problem. The error names the line and column and the problem, and none of the file's
     * text: the broken line may hold a password.
     */
    @Test
    void invalidYamlIsRefusedWithItsPlaceAndNotItsText() throws Exception {
        Path yaml =
                write("broken.yaml", "target: postgresql://u@h/db\nsource: [postgresql://u:t0ps3cret@h/db\nslot: s\n");
        CliRun run = CliRun.run("sync", "--config", yaml.toString(), "--verbose");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err())
                .contains("configuration file " + yaml + " is not valid YAML at line 3, column 5: while parsing a flow"
                        + " sequence; expected ',' or ']', but got :")
                .contains("fix: correct the YAML there")
                .doesNotContain("t0ps3cret");
    }

    /** Issue 7: config check printed the password of a mysql://, sqlserver:// or Kafka target in clear. */
    @Test
    void configCheckMasksThePasswordOfEveryKindOfTarget() throws Exception {
        for (String target : new String[] {
            "mysql://app:t0ps3cret@db.example:3306/shop",
            "sqlserver://sa:t0ps3cret@db.example:1433/shop",
            "kafka://b.example:9092?producer.sasl.jaas.config=Scram%20required%20password%3D%22t0ps3cret%22"
        }) {
            Path yaml = write("target.yaml", "source: postgresql://u@h/db\ntarget: '" + target + "'\n");
            CliRun check = CliRun.run("config", "check", "--config", yaml.toString(), "sync");
            assertThat(check.exitCode()).as(check.err()).isZero();
            assertThat(check.out()).contains("target: ").contains("****").doesNotContain("t0ps3cret");
        }
    }

    @Test
    void withoutThePasswordFileTheSameDsnIsRefusedByTheServer(TestDatabase db, PostgresServer server) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path yaml = write(
                "nopass.yaml",
                "source: postgresql://" + server.superuser() + "@" + server.host() + ":" + server.port() + "/"
                        + db.name() + "?sslmode=disable\n"
                        + "tables: [public.t]\n");
        CliRun run = CliRun.runWithEnv(
                Map.of("PGPASSFILE", dir.resolve("none").toString()),
                "stream",
                "--config",
                yaml.toString(),
                "--until-caught-up");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("password");
    }

    @Test
    void secretsFromTheEnvironmentAreMaskedAndAMissingOneIsNamed() throws Exception {
        Path yaml = write("env.yaml", "sync:\n  target: {env: REPLICA_DSN}\n  workers: 3\n");
        CliRun check = CliRun.runWithEnv(
                Map.of("REPLICA_DSN", "postgresql://app:Sup3rS3cret@replica:5432/shop"),
                "config",
                "check",
                "--config",
                yaml.toString());
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out())
                .contains("  target: postgresql://app:****@replica:5432/shop    # file")
                .doesNotContain("Sup3rS3cret");

        CliRun missing = CliRun.run("config", "check", "--config", yaml.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains("sync.target names the environment variable REPLICA_DSN, which is not set"));
    }

    @Test
    void misspeltKeysAreRefusedWithTheClosestValidOneAndNothingRuns(TestDatabase db) throws Exception {
        Path shared = write("shared.yaml", "source: " + db.uri() + "\ntabels: [public.t]\n");
        CliRun run = CliRun.run("stream", "--config", shared.toString(), "--until-caught-up");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains("unknown key 'tabels'", "no pgferry command takes it", "did you mean 'tables'?"));
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();

        Path section = write("section.yaml", "scan:\n  dedup_windw: 1m\n");
        CliRun check = CliRun.run("config", "check", "--config", section.toString());
        assertThat(check.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(check.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains(
                        "unknown key 'scan.dedup_windw'",
                        "pgferry scan takes no such option",
                        "did you mean 'dedup-window'?"));

        Path badValue = write("value.yaml", "sync:\n  workers: many\n");
        CliRun value = CliRun.run("config", "check", "--config", badValue.toString());
        assertThat(value.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(value.err()).contains("key 'workers': 'many' is not an int");
    }

    @Test
    void theExampleConfigurationsInTheDocsAreValid() throws Exception {
        try (Stream<Path> examples = Files.list(Path.of("../docs/examples"))) {
            for (Path example :
                    examples.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                CliRun check = CliRun.run("config", "check", "--config", example.toString());
                assertThat(check.exitCode()).as(example + ": " + check.err()).isZero();
                assertThat(check.out()).as(example.toString()).contains("ok: " + example + " is valid for 1 command");
            }
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }
}
