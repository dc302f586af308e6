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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option values from a YAML file and PGFERRY_* variables: flags win, then the environment, then the file. Issue #5. */
@PgTest
class ConfigDefaultsTest {
    @TempDir
    Path dir;

    @Test
    void fileEnvironmentAndFlagsCombineWithFlagsWinning(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "INSERT INTO a VALUES (1), (2)",
                "INSERT INTO b VALUES (1)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Path yaml = dir.resolve("sync.yaml");
            Files.writeString(
                    yaml,
                    "# a sync of table a only\n"
                            + "source: " + source.uri() + "\n"
                            + "target: " + target.uri() + "\n"
                            + "tables:\n  - public.a\n"
                            + "workers: 2\n"
                            + "slot: from_file\n"
                            + "copy-mode: bogus\n",
                    StandardCharsets.UTF_8);
            // PGFERRY_DROP is not read: --drop removes a sync and comes from the command line only.
            CliRun r = CliRun.runWithEnv(
                    Map.of("PGFERRY_SLOT", "from_env", "PGFERRY_DROP", "true"),
                    "sync",
                    "--config",
                    yaml.toString(),
                    "--copy-mode",
                    "snapshot",
                    "--until-caught-up");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.err()).contains("sync from_env copied");
            assertThat(target.queryLong("SELECT count(*) FROM a")).isEqualTo(2);
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'b'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'from_env'"))
                    .isEqualTo(1);
        }
    }

    /**
     * How a sync ends is one choice made by several options (--follow, --until-caught-up, --sequences-only, ...):
     * given on the command line, one of them overrides another set in the file or the environment. Before, each
     * option took its file value on its own, so sequences-only in the file turned a run with --until-caught-up into
     * a run that only set sequences. Issue #5.
     */
    @Test
    void anEndModeFlagOverridesAnotherEndModeFromTheFileOrTheEnvironment(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE a (id int PRIMARY KEY)", "INSERT INTO a VALUES (1), (2)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Path yaml = sequencesOnlyFile(source, target);
            CliRun r = CliRun.runWithEnv(
                    Map.of("PGFERRY_SEQUENCES_ONLY", "true"), "sync", "--config", yaml.toString(), "--until-caught-up");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(target.queryLong("SELECT count(*) FROM a")).isEqualTo(2);
        }
    }

    /** The environment's end mode overrides the file's, as for any option. Issue #5. */
    @Test
    void anEndModeFromTheEnvironmentOverridesAnotherFromTheFile(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE a (id int PRIMARY KEY)", "INSERT INTO a VALUES (1)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Path yaml = sequencesOnlyFile(source, target);
            CliRun r =
                    CliRun.runWithEnv(Map.of("PGFERRY_UNTIL_CAUGHT_UP", "true"), "sync", "--config", yaml.toString());
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(target.queryLong("SELECT count(*) FROM a")).isEqualTo(1);
        }
    }

    /** A file that syncs table a and ends each run once the sequences are set. */
    private Path sequencesOnlyFile(TestDatabase source, TestDatabase target) throws Exception {
        Path yaml = dir.resolve("ends.yaml");
        Files.writeString(
                yaml,
                "source: " + source.uri() + "\ntarget: " + target.uri() + "\ntables:\n  - public.a\n"
                        + "sequences-only: true\n",
                StandardCharsets.UTF_8);
        return yaml;
    }

    /** Two end modes set by one source are refused before anything is made. Issue #5. */
    @Test
    void twoEndModesInTheFileAreRefused(TestDatabase source) throws Exception {
        Path yaml = dir.resolve("two.yaml");
        Files.writeString(
                yaml,
                "source: " + source.uri() + "\ntarget: " + source.uri() + "\nuntil-caught-up: true\n"
                        + "sequences-only: true\nfollow: false\n",
                StandardCharsets.UTF_8);
        CliRun r = CliRun.run("sync", "--config", yaml.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err())
                .contains("until-caught-up (file) and sequences-only (file), which exclude each other")
                .contains("keep one");
        assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots"))
                .isZero();
    }

    @Test
    void dropInAFileIsAnUnknownKey(TestDatabase source) throws Exception {
        Path yaml = dir.resolve("drop.yaml");
        Files.writeString(yaml, "sync:\n  drop: true\n", StandardCharsets.UTF_8);
        CliRun r = CliRun.run("sync", "--config", yaml.toString(), "--source", source.uri(), "--target", source.uri());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("unknown key 'sync.drop'");
        assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots"))
                .isZero();
    }

    @Test
    void unknownKeyIsUsageAndNothingRuns(TestDatabase source) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "source: " + source.uri() + "\nworkerz: 3\n", StandardCharsets.UTF_8);
        CliRun r = CliRun.run("sync", "--config", yaml.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("unknown key 'workerz'").contains("long option names");
    }

    @Test
    void fileThatIsNotAMappingIsUsage() throws Exception {
        Path yaml = dir.resolve("list.yaml");
        Files.writeString(yaml, "- workers\n- 3\n", StandardCharsets.UTF_8);
        CliRun r = CliRun.run("sync", "--config", yaml.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("is not a YAML mapping");
    }
}
