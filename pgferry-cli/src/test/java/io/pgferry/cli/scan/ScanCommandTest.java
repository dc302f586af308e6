package io.pgferry.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgferry scan} and {@code pgferry rules} as a user runs them: output, exit codes, refusals. */
@PgTest
@Tag("scan")
class ScanCommandTest {
    @TempDir
    Path dir;

    @Test
    void scanReportsMaskedFindingsOnStandardOutputAndASummary(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
        db.execute("INSERT INTO t VALUES (1, 'card 4111 1111 1111 1111'), (2, 'nothing here')");
        CliRun run = CliRun.run(
                "scan",
                "--source",
                db.uri(),
                "--tables",
                "public.t",
                "--snapshot",
                "--until-caught-up",
                "--channel",
                "jsonl:" + dir.resolve("f.jsonl"));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.err()).contains("2 snapshot rows", "1 findings");
        String findings = Files.readString(dir.resolve("f.jsonl"));
        assertThat(findings).contains("\"sample\":\"41***************11\"").doesNotContain("4111 1111 1111 1111");
    }

    /** Issue 8, defect 8: a broken rule file is refused at start, by rule id, and nothing is created. */
    @Test
    void aRuleFileThatDoesNotLoadIsRefusedBeforeAnythingIsCreated(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
        Path rules = dir.resolve("rules.toml");
        Files.writeString(rules, "[[rules]]\nid = \"nopat\"\nseverity = \"high\"\n");
        CliRun run = CliRun.run(
                "scan", "--source", db.uri(), "--tables", "public.t", "--rules", rules.toString(), "--until-caught-up");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains("rule nopat is a regex rule without a pattern", "fix:"));
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_publication")).isZero();
    }

    @Test
    void findingsGoToAPostgresTable(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
        db.execute("INSERT INTO t VALUES (1, 'card 4111 1111 1111 1111'), (2, 'mail jane.roe@example.org')");
        CliRun run = CliRun.run(
                "scan",
                "--source",
                db.uri(),
                "--tables",
                "public.t",
                "--snapshot",
                "--until-caught-up",
                "--channel",
                "postgres:" + db.uri());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(db.queryString("SELECT string_agg(rule || ' ' || (key->>'id') || ' ' || sample || ' ' || op, ', '"
                        + " ORDER BY rule) FROM pgferry.findings"))
                .isEqualTo("credit-card 1 41***************11 read, email 2 ja****************rg read");
    }

    /** Findings written into a table the scan reads would come back through the stream: refused at start. */
    @Test
    void aFindingsTableTheScanReadsIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)", "CREATE PUBLICATION everything FOR ALL TABLES");
        CliRun run = CliRun.run(
                "scan",
                "--source",
                db.uri(),
                "--publication",
                "everything",
                "--until-caught-up",
                "--channel",
                "postgres:" + db.uri());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l)
                .contains(
                        "would write findings into pgferry.findings",
                        "a database this scan reads",
                        "--exclude-tables"));
        CliRun excluded = CliRun.run(
                "scan",
                "--source",
                db.uri(),
                "--publication",
                "everything",
                "--until-caught-up",
                "--channel",
                "postgres:" + db.uri(),
                "--exclude-tables",
                "pgferry.findings");
        assertThat(excluded.exitCode()).as(excluded.err()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void anUnknownChannelIsAUsageError(TestDatabase db) {
        CliRun run = CliRun.run("scan", "--source", db.uri(), "--channel", "pager");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).contains("unknown channel 'pager'"));
    }

    @Test
    void rulesTestShowsMaskedMatchesAndExitsOneWhenNothingMatches() {
        CliRun hit = CliRun.run("rules", "test", "--input", "mail jane.roe@example.org");
        assertThat(hit.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(hit.out())
                .contains("email (high) at 5-25: ja****************rg")
                .doesNotContain("jane.roe");
        CliRun miss = CliRun.run("rules", "test", "--input", "nothing to see");
        assertThat(miss.exitCode()).isEqualTo(1);
        assertThat(miss.out()).contains("no rule matched");
    }

    @Test
    void rulesListAndValidate() throws Exception {
        CliRun list = CliRun.run("rules", "list");
        assertThat(list.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(list.out()).contains("credit-card", "private-key", "rules from (bundled)");
        Path bad = dir.resolve("r.yaml");
        Files.writeString(bad, "rules:\n  - id: x\n    severity: high\n    pattern: '(?<=a)'\n");
        CliRun invalid = CliRun.run("rules", "validate", "--rules", bad.toString());
        assertThat(invalid.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(invalid.err()).contains("rule x pattern does not compile");
    }

    @Test
    void rulesValidateConnectChecksTheSource(TestDatabase db) {
        CliRun run = CliRun.run("rules", "validate", "--connect", "--source", db.uri());
        assertThat(run.out()).contains("valid", "wal_level");
        // The publication does not exist yet: not ready, and said so.
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_READY);
        assertThat(run.out()).contains("pgferry_scan_pub");
    }

    @Test
    void rulesBenchPrintsPerRuleAndTotalRates() {
        CliRun run = CliRun.run("rules", "bench", "--generate", "2000", "--min-time", "50ms");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("2000 values", "credit-card", "(all rules)");
    }
}
